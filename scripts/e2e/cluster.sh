#!/usr/bin/env bash
# Starts and stops a throwaway Kubernetes control plane (etcd + kube-apiserver) on loopback, the way
# controller-runtime's envtest does: no controller-manager, scheduler or kubelet, so nothing ever
# runs a pod. Meant to be sourced:
#
#   source scripts/e2e/cluster.sh
#   e2e_cluster_start DIR      # DIR: an empty temp dir; needs E2E_ETCD and E2E_KUBE_APISERVER
#   ...                        # E2E_KUBECONFIG, E2E_API_URL, E2E_CA/E2E_CLIENT_CERT/E2E_CLIENT_KEY
#   e2e_cluster_stop           # idempotent; call it from an EXIT trap
#
# Everything is throwaway and lives in DIR: a CA, the API server's serving cert (127.0.0.1,
# localhost, kubernetes.default.svc), the service-account signing key pair, an admin client cert
# in group system:masters and an admin kubeconfig. etcd and the API server listen on 127.0.0.1 only,
# on free ports picked at start.
set -euo pipefail

e2e_clog() { printf '[e2e:cluster] %s\n' "$*" >&2; }
e2e_cdie() { printf '[e2e:cluster] ERROR: %s\n' "$*" >&2; return 1; }

E2E_CLUSTER_PIDS=()

# Admission plugins this control plane turns off:
# - ServiceAccount: no token controller runs to create service-account tokens.
# - MutatingAdmissionWebhook, ValidatingAdmissionWebhook: charts register webhooks (cert-manager,
#   KServe, LWS, KubeRay, KEDA, the NIM/GPU/Network operators, Istio, kube-prometheus-stack) whose
#   Services never get endpoints here (no pods), so with failurePolicy Fail every object they match
#   would be refused with "no endpoints available". The webhook configurations are still created
#   and validated; only the calls are off. Schema and CEL validation (x-kubernetes-validations,
#   ValidatingAdmissionPolicy) stay on. e2e only: real clusters run the webhooks.
E2E_DISABLED_ADMISSION_PLUGINS="${E2E_DISABLED_ADMISSION_PLUGINS:-ServiceAccount,MutatingAdmissionWebhook,ValidatingAdmissionWebhook}"

# Prints a TCP port that is free on 127.0.0.1 right now (the OS picks it).
e2e_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# e2e_wait_for SECONDS DESCRIPTION PID LOG -- CMD...: polls CMD until it succeeds; fails early if
# PID died, printing the tail of LOG.
e2e_wait_for() {
  local secs="$1" what="$2" pid="$3" log="$4"; shift 5
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      e2e_clog "$what exited before becoming ready; last lines of $log:"
      tail -n 30 "$log" >&2 || true
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      e2e_clog "$what not ready after ${secs}s; last lines of $log:"
      tail -n 30 "$log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

# Writes the throwaway PKI into $1/pki.
e2e_cluster_pki() {
  local pki="$1/pki"
  mkdir -p "$pki"
  (
    cd "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
      -subj "/CN=inference-platform-e2e-ca" 2>/dev/null
    # API server serving certificate.
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr \
      -subj "/CN=kube-apiserver" 2>/dev/null
    printf '%s\n' \
      "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc" \
      "extendedKeyUsage=serverAuth" "keyUsage=critical,digitalSignature,keyEncipherment" >apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile apiserver.ext -out apiserver.crt 2>/dev/null
    # Admin client certificate: group system:masters bypasses RBAC.
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr \
      -subj "/O=system:masters/CN=e2e-admin" 2>/dev/null
    printf '%s\n' "extendedKeyUsage=clientAuth" "keyUsage=critical,digitalSignature,keyEncipherment" >admin.ext
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile admin.ext -out admin.crt 2>/dev/null
    # Service-account token signing key pair.
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    chmod 600 ./*.key
  )
}

e2e_cluster_kubeconfig() {
  local out="$1" b64
  b64() { base64 -w0 <"$1"; }
  cat >"$out" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: e2e
    cluster:
      server: $E2E_API_URL
      certificate-authority-data: $(b64 "$E2E_CA")
users:
  - name: e2e-admin
    user:
      client-certificate-data: $(b64 "$E2E_CLIENT_CERT")
      client-key-data: $(b64 "$E2E_CLIENT_KEY")
contexts:
  - name: e2e
    context:
      cluster: e2e
      user: e2e-admin
current-context: e2e
EOF
  chmod 600 "$out"
}

# e2e_api PATH [CURL ARGS...]: GET (by default) against the API server as the admin user.
e2e_api() {
  local path="$1"; shift
  curl -sS --fail-with-body --max-time 20 --cacert "$E2E_CA" --cert "$E2E_CLIENT_CERT" --key "$E2E_CLIENT_KEY" \
    "$@" "$E2E_API_URL$path"
}

# e2e_control_plane CMD...: runs CMD (etcd, the API server) with CPU priority over the clients
# (Pulumi, the provider, Helm, Node.js), as a real control plane has on its own nodes, and without
# proxy variables. On a 2-core machine a busy client side otherwise delays the API server's own CRD
# controllers (NamesAccepted/Established observed >60 s after creation while 24 charts install at
# once) and Helm gives up on a chart's crds/ after its fixed 60 s wait (helm v3.18.6
# pkg/action/install.go installCRDs). Niceness 0, or -5 when root, whatever `nice` the e2e runs
# under. A proxy from the environment would catch the API server's calls to webhook Services
# (conversion webhooks cannot be turned off); everything here is on 127.0.0.1.
e2e_control_plane() {
  local target=0 cur
  [ "$(id -u)" = "0" ] && target=-5
  cur="$(nice)"
  [ "$(id -u)" = "0" ] || [ "$cur" -le "$target" ] || target="$cur"
  # exec: started with `&`, the subshell becomes the process, so its pid is the one e2e_cluster_stop stops.
  exec env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy nice -n "$(( target - cur ))" "$@"
}

e2e_cluster_start() {
  local dir="$1" etcd_port peer_port api_port start
  : "${E2E_ETCD:?E2E_ETCD must point at the etcd binary}"
  : "${E2E_KUBE_APISERVER:?E2E_KUBE_APISERVER must point at the kube-apiserver binary}"
  command -v openssl >/dev/null 2>&1 || e2e_cdie "openssl is not on PATH" || return 1
  command -v curl >/dev/null 2>&1 || e2e_cdie "curl is not on PATH" || return 1
  start=$(date +%s)
  mkdir -p "$dir/logs" "$dir/etcd-data" "$dir/apiserver"
  E2E_CLUSTER_DIR="$dir"
  e2e_clog "writing throwaway CA, serving cert, admin client cert and service-account keys to $dir/pki"
  e2e_cluster_pki "$dir"
  export E2E_CA="$dir/pki/ca.crt" E2E_CLIENT_CERT="$dir/pki/admin.crt" E2E_CLIENT_KEY="$dir/pki/admin.key"

  etcd_port="$(e2e_free_port)"; peer_port="$(e2e_free_port)"
  e2e_clog "starting etcd on 127.0.0.1:$etcd_port (log: $dir/logs/etcd.log)"
  e2e_control_plane "$E2E_ETCD" --name e2e --data-dir "$dir/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "e2e=http://127.0.0.1:$peer_port" --unsafe-no-fsync --log-level warn \
    >"$dir/logs/etcd.log" 2>&1 &
  E2E_CLUSTER_PIDS+=("$!")
  echo "$!" >"$dir/etcd.pid"
  e2e_wait_for 60 etcd "$!" "$dir/logs/etcd.log" -- curl -sf "http://127.0.0.1:$etcd_port/health" || return 1

  api_port="$(e2e_free_port)"
  export E2E_API_URL="https://127.0.0.1:$api_port"
  e2e_clog "starting kube-apiserver on $E2E_API_URL (log: $dir/logs/kube-apiserver.log)"
  e2e_control_plane "$E2E_KUBE_APISERVER" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --cert-dir "$dir/apiserver" \
    --tls-cert-file "$dir/pki/apiserver.crt" --tls-private-key-file "$dir/pki/apiserver.key" \
    --client-ca-file "$E2E_CA" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --authorization-mode RBAC --allow-privileged=true \
    --disable-admission-plugins "$E2E_DISABLED_ADMISSION_PLUGINS" \
    --service-account-issuer "$E2E_API_URL" \
    --service-account-key-file "$dir/pki/sa.pub" \
    --service-account-signing-key-file "$dir/pki/sa.key" \
    --profiling=false --v=1 \
    >"$dir/logs/kube-apiserver.log" 2>&1 &
  E2E_CLUSTER_PIDS+=("$!")
  echo "$!" >"$dir/kube-apiserver.pid"
  e2e_wait_for 120 kube-apiserver "$!" "$dir/logs/kube-apiserver.log" -- e2e_api /readyz || return 1

  export E2E_KUBECONFIG="$dir/kubeconfig"
  e2e_cluster_kubeconfig "$E2E_KUBECONFIG"
  E2E_CLUSTER_START_SECONDS=$(( $(date +%s) - start ))
  e2e_clog "control plane ready in ${E2E_CLUSTER_START_SECONDS}s; admin kubeconfig: $E2E_KUBECONFIG"
}

# Stops whatever e2e_cluster_start started (API server first, then etcd). Safe to call twice.
e2e_cluster_stop() {
  local i pid n
  [ "${#E2E_CLUSTER_PIDS[@]}" -gt 0 ] || return 0
  for (( i=${#E2E_CLUSTER_PIDS[@]}-1; i>=0; i-- )); do
    pid="${E2E_CLUSTER_PIDS[$i]}"
    kill -0 "$pid" 2>/dev/null || continue
    e2e_clog "stopping pid $pid ($(ps -o comm= -p "$pid" 2>/dev/null || echo '?'))"
    kill -TERM "$pid" 2>/dev/null || true
    for (( n=0; n<40; n++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      e2e_clog "pid $pid still running after 10s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  E2E_CLUSTER_PIDS=()

}
