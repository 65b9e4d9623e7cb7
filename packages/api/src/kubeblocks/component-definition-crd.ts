import type { KubeObject } from "@atoll/kube";
import {
  boolean,
  entry,
  int32,
  int64,
  list,
  object,
  oneOf,
  rawObject,
  type Schema,
  string,
  stringMap,
} from "../policy/crd-schema.ts";
import {
  COMPONENT_DEFINITIONS,
  ComponentDefinitionPhases,
  TargetPodSelectors,
  VarOptions,
} from "./component-definition.ts";
import { column, kubeBlocksCrd } from "./kubeblocks-crd.ts";
import { KUBEBLOCKS_CATEGORY } from "./kubeblocks-names.ts";

const KEEP_UNKNOWN = { "x-kubernetes-preserve-unknown-fields": true } as const;

const strings = (description: string): Schema => list(description, { type: "string" });

function action(description: string): Schema {
  return object(
    description,
    {
      image: string("The image to run the action in, when not in the replica's own container."),
      exec: object("The command to run.", {
        command: strings("The command and its arguments; not run in a shell unless it invokes one."),
        args: strings("More arguments."),
      }),
      container: string("The container to run in; defaults to the first of runtime.containers."),
      timeoutSeconds: int32("How long the action may run; 0 means no limit.", { minimum: 0 }),
      targetPodSelector: oneOf(Object.values(TargetPodSelectors), "Which replicas run it."),
      matchingKey: string("With targetPodSelector Role: the role whose replicas run it."),
    },
    KEEP_UNKNOWN,
  );
}

function handler(description: string, extra: Record<string, Schema> = {}): Schema {
  return object(
    description,
    {
      builtinHandler: string("A handler built into KubeBlocks' agent; Atoll runs customHandler only."),
      customHandler: action("The action to run."),
      ...extra,
    },
    KEEP_UNKNOWN,
  );
}

const roleProbe = handler(
  "How to learn a replica's role: the action prints one of the roles' names. Runs where the replica runs.",
  {
    initialDelaySeconds: int32("Seconds after the container starts before the first probe.", { minimum: 0 }),
    timeoutSeconds: int32("Seconds a probe may take; defaults to 1.", { minimum: 1 }),
    periodSeconds: int32("Seconds between probes; defaults to 2.", { minimum: 1 }),
  },
);

const lifecycleActions = object(
  "Actions on replicas. Actions not listed here (postProvision, preTerminate, readonly…) are kept, not run.",
  {
    roleProbe,
    switchover: object(
      "How to hand leadership to another replica.",
      {
        withCandidate: action("Switch to the replica in KB_SWITCHOVER_CANDIDATE_NAME."),
        withoutCandidate: action("Switch to any other replica."),
      },
      KEEP_UNKNOWN,
    ),
    memberJoin: handler("How a new replica joins the others (e.g. on scale-out)."),
    memberLeave: handler("How a replica leaves the others (e.g. on scale-in)."),
  },
  KEEP_UNKNOWN,
);

const varOption = (what: string): Schema =>
  oneOf(
    Object.values(VarOptions),
    `Resolve to the service's ${what}; Required holds the replica until it is known.`,
  );

const serviceVarRef = object(
  "A value from a component service. A pod service gives one value per replica, as <service>:<value>,…",
  {
    compDef: string("The ComponentDefinition of the component owning the service; defaults to this one."),
    name: string("The service's name in that definition."),
    optional: boolean("Resolve to empty when the service does not exist."),
    host: varOption("host name"),
    loadBalancer: varOption("load-balancer ingress address (IP or host name)"),
    port: object("A port of the service.", {
      name: string("The port's name."),
      option: oneOf(Object.values(VarOptions), "Required holds the replica until the port is known."),
    }),
  },
  KEEP_UNKNOWN,
);

const componentVar = entry(
  {
    name: string("The environment variable's name.", { minLength: 1 }),
    value: string("A literal value, which may refer to other vars as $(NAME)."),
    valueFrom: object(
      "Where the value comes from. configMapKeyRef, secretKeyRef, hostNetworkVarRef, credentialVarRef, " +
        "serviceRefVarRef and componentVarRef are kept as sent.",
      { serviceVarRef },
      KEEP_UNKNOWN,
    ),
    expression: string("A Go template applied to the value."),
  },
  { required: ["name"] },
);

const componentService = entry(
  {
    name: string("The service's name, referred to by vars and Clusters.", { minLength: 1 }),
    serviceName: string("The Service name's suffix: <cluster>-<component>-<serviceName>; defaults to name."),
    spec: rawObject("A core/v1 ServiceSpec (ports, type…), kept as sent."),
    annotations: stringMap("Annotations of the Service."),
    roleSelector: string("Select only replicas holding this role."),
    podService: boolean("One Service per replica."),
    disableAutoProvision: boolean("Create it only when a Cluster names it."),
  },
  { required: ["name"], ...KEEP_UNKNOWN },
);

const role = entry(
  {
    name: string("The role, as the role probe prints it and the kubeblocks.io/role label shows it.", {
      minLength: 1,
      maxLength: 32,
    }),
    serviceable: boolean("A replica in this role serves clients."),
    writable: boolean("A replica in this role accepts writes."),
    votable: boolean("A replica in this role votes in elections."),
  },
  { required: ["name"] },
);

const componentDefinitionSpec = object(
  "How to run the component. Fields of KubeBlocks' ComponentDefinition not listed here are accepted and kept.",
  {
    provider: string("Who provides the definition."),
    description: string("What the component is."),
    serviceKind: string("The kind of service, e.g. etcd."),
    serviceVersion: string("The version of the service, e.g. 3.5.6."),
    runtime: object(
      "The pod template, a core/v1 PodSpec: containers with their images, commands, ports and mounts.",
      { containers: list("The containers.", rawObject("A core/v1 Container."), { minItems: 1 }) },
      { required: ["containers"], ...KEEP_UNKNOWN },
    ),
    vars: list("Environment variables of every container, resolved per replica.", componentVar),
    services: list("Services of the component.", componentService),
    roles: list("The roles a replica can hold.", role, { mapKeys: ["name"] }),
    lifecycleActions,
    volumes: list(
      "Volumes Clusters provide claim templates for.",
      rawObject("A volume: name, needSnapshot, highWatermark."),
    ),
  },
  { required: ["runtime"], ...KEEP_UNKNOWN },
);

const componentDefinitionStatus = object("Whether the definition can be used.", {
  observedGeneration: int64("The metadata.generation this status is for."),
  phase: oneOf(Object.values(ComponentDefinitionPhases), "Available or Unavailable."),
  message: string("Why, when Unavailable."),
});

/** The CRD of KubeBlocks' ComponentDefinition (cluster-scoped, short name cmpd, category kubeblocks). */
export function componentDefinitionCrd(): KubeObject {
  return kubeBlocksCrd(COMPONENT_DEFINITIONS, {
    shortNames: ["cmpd"],
    categories: [KUBEBLOCKS_CATEGORY],
    description:
      "How to run one kind of database component (KubeBlocks apps.kubeblocks.io/v1alpha1 ComponentDefinition): " +
      "its pod template, services, roles, role probe, vars and lifecycle actions.",
    spec: componentDefinitionSpec,
    status: componentDefinitionStatus,
    columns: [
      column("SERVICE", ".spec.serviceKind", "The kind of service."),
      column("SERVICE-VERSION", ".spec.serviceVersion", "The version of the service."),
      column("STATUS", ".status.phase", "Whether the definition can be used."),
    ],
  });
}
