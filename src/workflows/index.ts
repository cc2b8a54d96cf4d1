export { provisionRunner, progressQuery, PROVISIONING_TASK_QUEUE } from './provision-runner';
export type { ProvisionInput, ProvisionProgress, ProvisionResult, ProvisionStatus } from './provision-runner';
