import { buildContainerSpec, LABELS } from './container-spec';
import { planNetworking } from './network-plan';
import { RUNNER_CONTRACTS, type RunnerContractId } from './runner-contract';
import { configFrom, ENGINES } from './test-fixtures';

describe('buildContainerSpec', () => {
  it.each(Object.keys(RUNNER_CONTRACTS))(
    '%s: mounts only the workspace, where that release looks for it, and labels the contract',
    (id) => {
      const config = configFrom({
        STIGMER_RUNNER_CONTRACT: id,
        STIGMER_RUNNER_WORKSPACE_DIR: 'C:\\Users\\me\\.stigmer\\data\\workspace',
      });
      const spec = buildContainerSpec(config, planNetworking(config, ENGINES.desktopWindows), {}, 'wf');
      const contract = RUNNER_CONTRACTS[id as RunnerContractId];
      expect(spec.binds).toEqual([`C:\\Users\\me\\.stigmer\\data\\workspace:${contract.workspacePath}`]);
      expect(spec.labels[LABELS.contract]).toBe(id);
      const workspaceVariable = contract.carries.workspace as string;
      expect(spec.env).toContain(`${workspaceVariable}=${contract.workspacePath}`);
    },
  );
});
