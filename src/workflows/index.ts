export { provisionRunner, progressQuery } from './provision-runner';
export type { ProvisionInput, ProvisionProgress, ProvisionResult, ProvisionStatus } from './provision-runner';
export { teardownRunner } from './teardown-runner';
export type { TeardownInput, TeardownResult } from './teardown-runner';
