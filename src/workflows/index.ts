export { provisionRunner, progressQuery, PROVISIONING_TASK_QUEUE, INVALID_INPUT } from './provision-runner';
export type { ProvisionInput, ProvisionProgress, ProvisionResult, ProvisionStatus } from './provision-runner';
export { teardownRunner } from './teardown-runner';
export type { TeardownInput } from './teardown-runner';
