/**
 * On vm-plain (scripts/lib/vm.sh), in `npm test`: the plan (where the engine runs, the route measured), the
 * default runner ready with its workspace, and what only an engine in a VM shows. The whole matrix
 * there is test/vm-matrix (`npm run test:vm`).
 */
import { engineScenarios } from '../e2e/engines/scenarios';
import { vmExtras } from '../e2e/engines/vm-scenarios';

describe('vm-plain: the core scenarios, and what only an engine in a VM shows', () =>
  engineScenarios('vm-plain', vmExtras('vm-plain'), 'core'));
