/** The end-to-end scenarios on rootful-podman (see scenarios.ts). */
import { engineScenarios } from './scenarios';

engineScenarios('rootful-podman');
