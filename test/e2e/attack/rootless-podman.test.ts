/** The attack suite on rootless-podman (see scenarios.ts). */
import { attackScenarios } from './scenarios';

attackScenarios('rootless-podman', ['bridge']);
