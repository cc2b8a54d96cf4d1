/** The end-to-end scenarios on rootful-docker (see scenarios.ts). */
import { engineScenarios } from './scenarios';

engineScenarios('rootful-docker');
