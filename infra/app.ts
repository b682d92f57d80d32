import { App } from 'aws-cdk-lib';
import { ApiStack } from './api-stack.js';
import { StatefulStack } from './stateful-stack.js';
import { stageOf } from './stage.js';

/** Builds the orderloop app for the context's stage: a stateful stack and the API stack that uses its tables. */
export function buildApp(app = new App()): { app: App; data: StatefulStack; api: ApiStack } {
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const data = new StatefulStack(app, 'OrderloopData', { env });
  const api = new ApiStack(app, 'OrderloopApi', { env, stage: stageOf(app) });
  api.addStackDependency(data);
  return { app, data, api };
}
