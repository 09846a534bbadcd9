export * from './common.js';
export * from './messages.js';
export * from './graders.js';
export * from './evals.js';
export * from './runs.js';
export * from './extensions.js';
export * from './logs.js';
export * from './webhooks.js';
