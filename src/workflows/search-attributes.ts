/**
 * Search attributes that find provisions in the Temporal UI and CLI, e.g.
 * `StigmerRunner = "stigmer-agent-runner" AND StigmerStatus = "failed" AND StigmerStep = "verifyConnectivity"`.
 * The runner and `running` are set when the workflow starts; the outcome once, when it ends.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SEARCH_ATTRIBUTES = {
  runner: defineSearchAttributeKey('StigmerRunner', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('StigmerStatus', SearchAttributeType.KEYWORD),
  step: defineSearchAttributeKey('StigmerStep', SearchAttributeType.KEYWORD),
  networkMode: defineSearchAttributeKey('StigmerNetworkMode', SearchAttributeType.KEYWORD),
} as const;

/** `--search-attribute` flags registering them on a dev server. */
export const DEV_SERVER_SEARCH_ATTRIBUTE_ARGS = Object.values(SEARCH_ATTRIBUTES).flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
