/** The end-to-end scenarios on rootless-podman (see scenarios.ts). */
import { engineScenarios } from './scenarios';

engineScenarios('rootless-podman');
