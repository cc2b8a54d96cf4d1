/** The attack suite on rootless-docker (see scenarios.ts). */
import { attackScenarios } from './scenarios';

attackScenarios('rootless-docker', ['bridge']);
