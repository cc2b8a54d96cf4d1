/** The attack suite on rootful-docker (see scenarios.ts). */
import { attackScenarios } from './scenarios';

attackScenarios('rootful-docker', ['host', 'bridge']);
