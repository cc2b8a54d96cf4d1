/** Every scenario of the engine matrix on vm-plain (scripts/lib/vm.sh), and what only an engine in a VM shows: `npm run test:vm`. */
import { engineScenarios } from '../e2e/engines/scenarios';
import { vmExtras } from '../e2e/engines/vm-scenarios';

describe('vm-plain: every scenario, and what only an engine in a VM shows', () =>
  engineScenarios('vm-plain', vmExtras('vm-plain'), 'all'));
