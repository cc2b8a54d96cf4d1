/**
 * On vm-plain (scripts/lib/vm.sh), in `npm test`: the plan (where the engine runs, the route measured), the
 * default runner ready with its workspace, and a warm second run. `--network host` forced — the seeds'
 * macOS failure — runs on vm-desktop, the Desktop class where users met it; both VMs' files run side by
 * side and the suite waits for the longer. The whole matrix here, that case included, is test/vm-matrix
 * (`npm run test:vm`).
 */
import { engineScenarios } from '../e2e/engines/scenarios';
import { vmExtras } from '../e2e/engines/vm-scenarios';

describe('vm-plain: the core scenarios, and what only an engine in a VM shows', () =>
  engineScenarios('vm-plain', { ...vmExtras('vm-plain'), tests: undefined }, 'core'));
