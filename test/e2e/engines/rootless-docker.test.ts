/** The end-to-end scenarios on rootless-docker (see scenarios.ts). */
import { engineScenarios } from './scenarios';

engineScenarios('rootless-docker');
