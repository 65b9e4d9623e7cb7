import { COMPONENT_DEFINITIONS, type ComponentDefinition } from "@atoll/api";
import { apiVersionOf } from "@atoll/kube";

/** The name KubeBlocks' multi-cluster guide gives its etcd definition. */
export const ETCD_DEFINITION = "etcd-0.9.0";

/** Marks a ComponentDefinition Atoll installs (and restores) at start. */
export const BUILT_IN_LABEL = "instances.atoll.io/built-in";

const DATA_DIR = "/var/run/etcd/data";

/**
 * The start script. Every replica works out the cluster from its vars: each
 * peer's address is its pod service's load-balancer address if it has one,
 * else its host (a service name the pod resolves to its own member's copy,
 * or a node address for a NodePort service), with the service's peer and
 * client ports (node ports for a NodePort service).
 *
 * With data, etcd restarts as the member it was — without advancing its
 * election clock, so a leader that restarts does not campaign at once and
 * win again before the others have elected one of themselves (a new member
 * does advance it: the first election is not delayed). Without, it asks the peers
 * whether a cluster exists: none answers → a new cluster (the first start);
 * it is listed but never started → it joins as bootstrapped; it is listed as
 * started (its data was lost, e.g. rebuilt in another member) or not listed
 * (scaled out) → it removes its old self, adds itself and joins the existing
 * cluster.
 */
const START = `set -u
value() { for e in $(echo "$1" | tr ',' ' '); do s=\${e%%:*}; if [ "\${s##*-}" = "$2" ]; then echo "\${e#*:}"; return; fi; done; }
me=\${KB_POD_NAME##*-}
cluster=""; endpoints=""; peer_url=""; client_url=""
for e in $(echo "$PEER_PORTS" | tr ',' ' '); do
  s=\${e%%:*}; n=\${s##*-}
  host=$(value "\${PEER_LB_HOSTS:-}" "$n"); [ -n "$host" ] || host=$(value "$PEER_HOSTS" "$n")
  peer="http://$host:\${e#*:}"; client="http://$host:$(value "$CLIENT_PORTS" "$n")"
  cluster="$cluster\${cluster:+,}$KB_CLUSTER_COMP_NAME-$n=$peer"
  if [ "$n" = "$me" ]; then peer_url=$peer; client_url=$client; else endpoints="$endpoints\${endpoints:+,}$client"; fi
done
state=new
# A member restarting with its data waits a full election timeout before campaigning; a new one need not.
advance=true
[ ! -d ${DATA_DIR}/member ] || advance=false
if [ ! -d ${DATA_DIR}/member ] && [ -n "$endpoints" ]; then
  members=$(etcdctl --endpoints="$endpoints" --dial-timeout=1s --command-timeout=2s member list 2>/dev/null || true)
  if [ -n "$members" ]; then
    line=$(echo "$members" | grep ", $peer_url, " || true)
    if [ -z "$line" ] || [ "$(echo "$line" | cut -d, -f2 | tr -d ' ')" = started ]; then
      if [ -n "$line" ]; then
        echo "this replica's data is gone: replacing member $(echo "$line" | cut -d, -f1)"
        etcdctl --endpoints="$endpoints" member remove "$(echo "$line" | cut -d, -f1)" || exit 1
      fi
      # etcd refuses an add while another new member has not caught up (replicas added together): retry.
      added=""
      for attempt in $(seq 1 60); do
        if etcdctl --endpoints="$endpoints" member add "$KB_POD_NAME" --peer-urls="$peer_url"; then added=1; break; fi
        sleep 1
      done
      [ -n "$added" ] || exit 1
      # A member not started yet has no name in the list: name it by its peer URL, as the vars do.
      cluster=$(etcdctl --endpoints="$endpoints" member list | awk -F', ' -v known="$cluster" 'BEGIN { k = split(known, pairs, ","); for (i = 1; i <= k; i++) { eq = index(pairs[i], "="); byurl[substr(pairs[i], eq + 1)] = substr(pairs[i], 1, eq - 1) } } { n = $3; if (n == "") n = byurl[$4]; if (n != "") { printf "%s%s=%s", sep, n, $4; sep = "," } }')
      state=existing
    fi
  fi
fi
echo "starting etcd $KB_POD_NAME: peer $peer_url, client $client_url, cluster $cluster ($state)"
exec etcd --name="$KB_POD_NAME" --data-dir=${DATA_DIR} \\
  --listen-peer-urls="http://$KB_POD_IP:2380" --listen-client-urls="http://$KB_POD_IP:2379" \\
  --initial-advertise-peer-urls="$peer_url" --advertise-client-urls="$client_url" \\
  --initial-cluster="$cluster" --initial-cluster-state="$state" \\
  --initial-cluster-token="$KB_NAMESPACE-$KB_CLUSTER_COMP_NAME" \\
  --initial-election-tick-advance="$advance"
`;

/** Prints leader, follower or learner from the replica's own view of the cluster; fails while it has no leader. */
const ROLE_PROBE = `out=$(ETCDCTL_API=3 etcdctl --endpoints="http://$KB_POD_IP:2379" --command-timeout=1s endpoint status -w fields) || exit 1
id=$(echo "$out" | sed -n 's/^"MemberID" : //p')
leader=$(echo "$out" | sed -n 's/^"Leader" : //p')
learner=$(echo "$out" | sed -n 's/^"IsLearner" : //p')
if [ "$learner" = true ]; then echo learner
elif [ -z "$leader" ] || [ "$leader" = 0 ]; then exit 1
elif [ "$id" = "$leader" ]; then echo leader
else echo follower
fi
`;

/** Run on the leader: hands leadership to the named candidate (KB_SWITCHOVER_CANDIDATE_NAME), or to any follower. */
const SWITCHOVER = `local="http://$KB_POD_IP:2379"
target=$(etcdctl --endpoints="$local" member list | awk -F', ' -v want="\${KB_SWITCHOVER_CANDIDATE_NAME:-}" -v me="$KB_POD_NAME" '$3 != me && $2 == "started" && (want == "" || $3 == want) { print $1; exit }')
[ -n "$target" ] || { echo "no candidate to hand leadership to"; exit 1; }
etcdctl --endpoints="$local" move-leader "$target"
`;

/** Run on a replica that stays: removes the leaving replica (KB_LEAVE_MEMBER_POD_NAME) from the etcd cluster. */
const MEMBER_LEAVE = `local="http://$KB_POD_IP:2379"
# etcd refuses a removal until the cluster has been healthy for a few seconds: retry for a while.
for attempt in $(seq 1 15); do
  id=$(etcdctl --endpoints="$local" member list | awk -F', ' -v name="$KB_LEAVE_MEMBER_POD_NAME" '$3 == name { print $1 }')
  [ -n "$id" ] || exit 0
  etcdctl --endpoints="$local" member remove "$id" && exit 0
  sleep 1
done
exit 1
`;

const serviceVar = (name: string, selector: Record<string, unknown>) => ({
  name,
  valueFrom: { serviceVarRef: { compDef: ETCD_DEFINITION, name: "peer", ...selector } },
});

/**
 * Atoll's built-in `etcd-0.9.0`: etcd whose replicas reach each other
 * through their `peer` pod services, so one instance spans members whether
 * those services are global ClusterIP services, NodePorts or LoadBalancers.
 * Roles leader/follower/learner come from each replica's own status.
 */
export function etcdComponentDefinition(): ComponentDefinition {
  return {
    apiVersion: apiVersionOf(COMPONENT_DEFINITIONS),
    kind: COMPONENT_DEFINITIONS.kind,
    metadata: { name: ETCD_DEFINITION, labels: { [BUILT_IN_LABEL]: "true" } },
    spec: {
      provider: "atoll",
      description: "etcd with replicas across member clusters, peers addressed through their pod services",
      serviceKind: "etcd",
      serviceVersion: "3.4",
      services: [
        {
          name: "peer",
          podService: true,
          spec: {
            ports: [
              { name: "client", port: 2379, targetPort: 2379, protocol: "TCP" },
              { name: "peer", port: 2380, targetPort: 2380, protocol: "TCP" },
            ],
          },
        },
      ],
      roles: [
        { name: "leader", serviceable: true, writable: true, votable: true },
        { name: "follower", serviceable: true, writable: false, votable: true },
        { name: "learner", serviceable: false, writable: false, votable: false },
      ],
      vars: [
        serviceVar("PEER_HOSTS", { host: "Required" }),
        serviceVar("PEER_LB_HOSTS", { loadBalancer: "Optional" }),
        serviceVar("PEER_PORTS", { port: { name: "peer", option: "Required" } }),
        serviceVar("CLIENT_PORTS", { port: { name: "client", option: "Required" } }),
      ],
      runtime: {
        containers: [
          {
            name: "etcd",
            image: "quay.io/coreos/etcd:v3.4.23",
            command: ["/bin/sh", "-c", START],
            env: [{ name: "ETCDCTL_API", value: "3" }],
            ports: [
              { name: "client", containerPort: 2379, protocol: "TCP" },
              { name: "peer", containerPort: 2380, protocol: "TCP" },
            ],
            volumeMounts: [{ name: "data", mountPath: "/var/run/etcd" }],
            readinessProbe: {
              httpGet: { path: "/health", port: 2379 },
              periodSeconds: 1,
              timeoutSeconds: 1,
              failureThreshold: 3,
            },
          },
        ],
        volumes: [{ name: "data", emptyDir: {} }],
      },
      lifecycleActions: {
        roleProbe: {
          periodSeconds: 1,
          timeoutSeconds: 2,
          customHandler: { exec: { command: ["/bin/sh", "-c", ROLE_PROBE] } },
        },
        switchover: {
          withCandidate: { exec: { command: ["/bin/sh", "-c", SWITCHOVER] } },
          withoutCandidate: { exec: { command: ["/bin/sh", "-c", SWITCHOVER] } },
        },
        memberLeave: { customHandler: { exec: { command: ["/bin/sh", "-c", MEMBER_LEAVE] } } },
      },
    },
  };
}

/** Every ComponentDefinition Atoll installs at the hub. */
export function builtInDefinitions(): ComponentDefinition[] {
  return [etcdComponentDefinition()];
}
