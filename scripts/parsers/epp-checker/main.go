// epp-checker runs the startup validation of the pinned llm-d inference scheduler (EPP) offline:
// the same steps as GAIE cmd/epp/runner (Runner.Run up to the point where it needs a cluster):
//
//  1. flags: runserver.Options on the global pflag set, pflag parse, Complete, Validate;
//  2. plugin registration: the GAIE in-tree plugins (Runner.registerInTreePlugins) and the llm-d
//     plugins (llm-d-inference-scheduler pkg/plugins.RegisterAllPlugins), with the feature gates
//     the runner registers;
//  3. config: loader.LoadRawConfig (strict decode, defaults, feature gates), then
//     loader.InstantiateAndConfigure (plugin factories with their parameters, profiles, scheduler),
//     datalayer.ValidateAndOrderDataDependencies and datalayer.WithConfig as the runner does.
//
// Usage: epp-checker [-config-root DIR] -- <EPP container args...>
//
// --config-file in the EPP args is read below -config-root (where the test writes the ConfigMap
// the chart mounts). Prints one JSON object {ok, stage, error, plugins, unchecked} and exits 0 when
// the EPP would start, 1 when it would exit, 2 on a usage error.
//
// Three llm-d plugins import github.com/llm-d/llm-d-kv-cache, which the Go module proxy refuses, so
// they are not compiled in (see registerLlmdPlugins): a config that uses one is reported with
// stage "unchecked" and exit 1 — never as passing.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-logr/logr"
	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/llm-d/llm-d-inference-scheduler/pkg/plugins/datalayer/models"
	"github.com/llm-d/llm-d-inference-scheduler/pkg/plugins/filter"
	prerequest "github.com/llm-d/llm-d-inference-scheduler/pkg/plugins/pre-request"
	"github.com/llm-d/llm-d-inference-scheduler/pkg/plugins/profile"
	llmdscorer "github.com/llm-d/llm-d-inference-scheduler/pkg/plugins/scorer"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/config/loader"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/datalayer"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/flowcontrol"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/flowcontrol/framework/plugins/fairness"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/flowcontrol/framework/plugins/ordering"
	fwkplugin "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/plugin"
	extractormetrics "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/datalayer/extractor/metrics"
	sourcemetrics "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/datalayer/source/metrics"
	sourcenotifications "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/datalayer/source/notifications"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/requestcontrol/requestattributereporter"
	testresponsereceived "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/requestcontrol/test/responsereceived"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/scheduling/picker"
	gaieprofile "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/scheduling/profile"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/scheduling/scorer"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/scheduling/scorer/predictedlatency"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/scheduling/scorer/prefix"
	testfilter "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/scheduling/test/filter"
	runserver "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/server"
)

// Unchecked lists the llm-d plugin types left out because they import llm-d-kv-cache.
var Unchecked = []string{"tokenizer", "precise-prefix-cache-scorer", "context-length-aware"}

// registerInTreePlugins is GAIE cmd/epp/runner Runner.registerInTreePlugins (unexported there),
// line for line; scripts/tools/epp-checker.sh refuses to build when the two lists differ.
func registerInTreePlugins() {
	fwkplugin.Register(prefix.PrefixCachePluginType, prefix.PrefixCachePluginFactory)
	fwkplugin.Register(picker.MaxScorePickerType, picker.MaxScorePickerFactory)
	fwkplugin.Register(picker.RandomPickerType, picker.RandomPickerFactory)
	fwkplugin.Register(picker.WeightedRandomPickerType, picker.WeightedRandomPickerFactory)
	fwkplugin.Register(gaieprofile.SingleProfileHandlerType, gaieprofile.SingleProfileHandlerFactory)
	fwkplugin.Register(scorer.KvCacheUtilizationScorerType, scorer.KvCacheUtilizationScorerFactory)
	fwkplugin.Register(scorer.QueueScorerType, scorer.QueueScorerFactory)
	fwkplugin.Register(scorer.RunningRequestsSizeScorerType, scorer.RunningRequestsSizeScorerFactory)
	fwkplugin.Register(scorer.LoraAffinityScorerType, scorer.LoraAffinityScorerFactory)
	fwkplugin.Register(fairness.GlobalStrictFairnessPolicyType, fairness.GlobalStrictFairnessPolicyFactory)
	fwkplugin.Register(fairness.RoundRobinFairnessPolicyType, fairness.RoundRobinFairnessPolicyFactory)
	fwkplugin.Register(ordering.FCFSOrderingPolicyType, ordering.FCFSOrderingPolicyFactory)
	fwkplugin.Register(ordering.EDFOrderingPolicyType, ordering.EDFOrderingPolicyFactory)
	fwkplugin.Register(predictedlatency.PredictedLatencyPluginType, predictedlatency.PredictedLatencyFactory)
	fwkplugin.Register(testfilter.HeaderBasedTestingFilterType, testfilter.HeaderBasedTestingFilterFactory)
	fwkplugin.Register(testresponsereceived.DestinationEndpointServedVerifierType, testresponsereceived.DestinationEndpointServedVerifierFactory)
	fwkplugin.Register(sourcemetrics.MetricsDataSourceType, sourcemetrics.MetricsDataSourceFactory)
	fwkplugin.Register(extractormetrics.MetricsExtractorType, extractormetrics.ModelServerExtractorFactory)
	fwkplugin.Register(sourcenotifications.NotificationSourceType, sourcenotifications.NotificationSourceFactory)
	fwkplugin.Register(requestattributereporter.RequestAttributeReporterType, requestattributereporter.RequestAttributeReporterPluginFactory)
}

// registerLlmdPlugins is llm-d-inference-scheduler pkg/plugins.RegisterAllPlugins without the
// three kv-cache plugins (preparedata.TokenizerPluginType, scorer.PrecisePrefixCachePluginType,
// multi.ContextLengthAwareType); the recipe checks the rest matches upstream line for line.
func registerLlmdPlugins() {
	fwkplugin.Register(filter.ByLabelType, filter.ByLabelFactory)
	fwkplugin.Register(filter.ByLabelSelectorType, filter.ByLabelSelectorFactory)
	fwkplugin.Register(filter.EncodeRoleType, filter.EncodeRoleFactory)
	fwkplugin.Register(filter.DecodeRoleType, filter.DecodeRoleFactory)
	fwkplugin.Register(filter.PrefillRoleType, filter.PrefillRoleFactory)
	fwkplugin.Register(prerequest.DisaggHeadersHandlerType, prerequest.DisaggHeadersHandlerFactory)
	fwkplugin.Register(prerequest.PrefillHeaderHandlerType, prerequest.DisaggHeadersHandlerFactory) //nolint:staticcheck // upstream's legacy alias
	fwkplugin.Register(profile.DataParallelProfileHandlerType, profile.DataParallelProfileHandlerFactory)
	fwkplugin.Register(profile.DisaggProfileHandlerType, profile.DisaggProfileHandlerFactory)
	fwkplugin.Register(profile.PdProfileHandlerType, profile.PdProfileHandlerFactory) //nolint:staticcheck // upstream's legacy alias
	fwkplugin.Register(llmdscorer.LoadAwareType, llmdscorer.LoadAwareFactory)
	fwkplugin.Register(llmdscorer.SessionAffinityType, llmdscorer.SessionAffinityFactory)
	fwkplugin.Register(llmdscorer.ActiveRequestType, llmdscorer.ActiveRequestFactory)
	fwkplugin.Register(llmdscorer.NoHitLRUType, llmdscorer.NoHitLRUFactory)
	fwkplugin.Register(models.ModelsDataSourceType, models.ModelDataSourceFactory)
	fwkplugin.Register(models.ModelsExtractorType, models.ModelServerExtractorFactory)
	fwkplugin.Register(profile.PrefixBasedPDDeciderPluginType, profile.PrefixBasedPDDeciderPluginFactory)
	fwkplugin.Register(profile.AlwaysDisaggPDDeciderPluginType, profile.AlwaysDisaggPDDeciderPluginFactory)
	fwkplugin.Register(profile.AlwaysDisaggMulimodalPluginType, profile.AlwaysDisaggMulimodalDeciderPluginFactory)
}

type result struct {
	OK        bool     `json:"ok"`
	Stage     string   `json:"stage"`
	Error     string   `json:"error,omitempty"`
	Plugins   []string `json:"plugins,omitempty"`
	Unchecked []string `json:"unchecked"`
	Config    string   `json:"config,omitempty"`
}

func emit(r result) {
	r.Unchecked = Unchecked
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	if r.OK {
		os.Exit(0)
	}
	os.Exit(1)
}

func main() {
	own := flag.NewFlagSet("epp-checker", flag.ContinueOnError)
	root := own.String("config-root", "", "directory the EPP's --config-file path is resolved under (the mounted ConfigMap)")
	listPlugins := own.Bool("list-plugins", false, "print the registered plugin types and exit")
	if err := own.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	eppArgs := own.Args()

	ctx := context.Background()
	logger := logr.Discard()

	if *listPlugins {
		registerInTreePlugins()
		registerLlmdPlugins()
		names := make([]string, 0, len(fwkplugin.Registry))
		for n := range fwkplugin.Registry {
			names = append(names, n)
		}
		sort.Strings(names)
		emit(result{OK: true, Stage: "plugins", Plugins: names})
	}

	// 1. Flags, exactly as Runner.Run: the global pflag set, Complete, Validate.
	opts := runserver.NewOptions()
	opts.AddFlags(pflag.CommandLine)
	pflag.CommandLine.SetOutput(io.Discard) // deprecation notices go to stderr in the EPP; not errors
	pflag.CommandLine.Init("epp", pflag.ContinueOnError)
	if err := pflag.CommandLine.Parse(eppArgs); err != nil {
		emit(result{Stage: "flags", Error: err.Error()})
	}
	if len(pflag.CommandLine.Args()) > 0 {
		// The EPP ignores positional arguments; they are always a quoting mistake here.
		emit(result{Stage: "flags", Error: fmt.Sprintf("unexpected positional arguments %q", pflag.CommandLine.Args())})
	}
	if err := opts.Complete(); err != nil {
		emit(result{Stage: "flags", Error: err.Error()})
	}
	if err := opts.Validate(); err != nil {
		emit(result{Stage: "flags", Error: err.Error()})
	}

	// 2. Config bytes, as parseConfigurationPhaseOne reads them.
	var configBytes []byte
	if opts.ConfigText != "" {
		configBytes = []byte(opts.ConfigText)
	} else if opts.ConfigFile != "" {
		p := opts.ConfigFile
		if *root != "" {
			p = filepath.Join(*root, p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			emit(result{Stage: "config", Error: fmt.Sprintf("failed to load config from a file '%s' - %v", opts.ConfigFile, err)})
		}
		configBytes = b
	}
	if used := uncheckedPluginsIn(configBytes); len(used) > 0 {
		emit(result{Stage: "unchecked", Error: fmt.Sprintf("the config uses %q, which this checker cannot load (they import github.com/llm-d/llm-d-kv-cache, refused by the Go module proxy)", used)})
	}

	loader.RegisterFeatureGate(datalayer.ExperimentalDatalayerFeatureGate)
	loader.RegisterFeatureGate(flowcontrol.FeatureGate)
	loader.RegisterFeatureGate(datalayer.PrepareDataPluginsFeatureGate)
	registerInTreePlugins()
	registerLlmdPlugins()

	rawConfig, featureGates, err := loader.LoadRawConfig(configBytes, logger)
	if err != nil {
		emit(result{Stage: "config", Error: fmt.Sprintf("failed to parse config - %v", err)})
	}

	// 3. parseConfigurationPhaseTwo: instantiate plugins, profiles and scheduler; data-layer DAG.
	handle := fwkplugin.NewEppHandle(ctx, func() []types.NamespacedName { return nil })
	cfg, err := loader.InstantiateAndConfigure(rawConfig, handle, logger)
	if err != nil {
		emit(result{Stage: "config", Error: fmt.Sprintf("failed to load the configuration - %v", err)})
	}
	if _, err := datalayer.ValidateAndOrderDataDependencies(handle.GetAllPlugins()); err != nil {
		emit(result{Stage: "config", Error: fmt.Sprintf("failed to load the configuration - %v", err)})
	}
	if cfg.SchedulerConfig == nil {
		emit(result{Stage: "config", Error: "scheduler config must be set either by config api or through code"})
	}
	// Runner.setupDataLayer: without the dataLayer gate, the new metrics extractor is disallowed.
	disallowed := ""
	if !featureGates[datalayer.ExperimentalDatalayerFeatureGate] {
		disallowed = extractormetrics.MetricsExtractorType
	}
	if err := datalayer.WithConfig(cfg.DataConfig, disallowed); err != nil {
		emit(result{Stage: "datalayer", Error: err.Error()})
	}
	if featureGates[datalayer.ExperimentalDatalayerFeatureGate] && len(datalayer.GetSources()) == 0 {
		emit(result{Stage: "datalayer", Error: errors.New("data layer enabled but no data sources configured").Error()})
	}

	names := []string{}
	for _, p := range handle.GetAllPlugins() {
		names = append(names, p.TypedName().String())
	}
	sort.Strings(names)
	emit(result{OK: true, Stage: "started", Plugins: names, Config: rawConfig.String()})
}

// uncheckedPluginsIn returns the plugin types of Unchecked that the config names.
func uncheckedPluginsIn(configBytes []byte) []string {
	var doc struct {
		Plugins []struct {
			Type string `json:"type"`
		} `json:"plugins"`
	}
	if len(configBytes) == 0 || yaml.Unmarshal(configBytes, &doc) != nil {
		return nil
	}
	var used []string
	for _, p := range doc.Plugins {
		for _, u := range Unchecked {
			if p.Type == u {
				used = append(used, u)
			}
		}
	}
	return used
}
