/** The engine matrix's scenarios, and what only an engine in a VM shows, on vm-plain (scripts/lib/vm.sh). */
import { engineScenarios } from '../e2e/engines/scenarios';
import { vmScenarios } from '../e2e/engines/vm-scenarios';

describe('the scenarios every engine runs', () => engineScenarios('vm-plain'));
describe('what only an engine in a VM shows', () => vmScenarios('vm-plain'));
