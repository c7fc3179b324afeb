/** The delivery configuration: load, validate, resolve per (service, environment), version, graph. */
export { ConfigFileError, InvalidConfigError, UnknownEnvironmentError, UnknownServiceError, type ConfigIssue } from './errors.js';
export { DependencyCycleError, deployLevels, edgesOf, findCycles, formatCycle, toDot, toMermaid, toText, type GraphNode } from './graph.js';
export { DEFAULT_CONFIG_FILES, defineDeliveryConfig, findConfigFile, loadDeliveryConfigFile, parseConfigText, readDeliveryConfigFile, type LoadedDeliveryConfig } from './load.js';
export { approvalGate, environmentsOf, resolveEnvironment, serviceForRepository, serviceOf, specForEnvironment, toServiceConfig, toServiceConfigs, type ResolvedEnvironment } from './resolve.js';
export { ApprovalSchema, DeliveryFileSchema, NotifyTargetSchema, type Approval, type DeliveryFileInput, type NotifyTarget } from './schema.js';
export { SecretRefSchema, type SecretRef } from './secrets.js';
export { isExtendedConfig, parseDeliveryFile, validateDeliveryConfig, type EnvironmentSettings, type ParsedDeliveryConfig, type ServiceDefinition } from './validate.js';
export { canonicalJson, configVersion } from './version.js';
