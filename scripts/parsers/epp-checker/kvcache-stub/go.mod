// Module stub for github.com/llm-d/llm-d-kv-cache, which the Go module proxy refuses.
//
// The checker replaces the module with this empty one so the scheduler module graph resolves.
// No package of it is compiled: the three scheduler plugins that import llm-d-kv-cache
// (tokenizer, precise-prefix-cache-scorer, context-length-aware) are left out of the checker,
// which reports any config that uses them as unchecked.
module github.com/llm-d/llm-d-kv-cache

go 1.24
