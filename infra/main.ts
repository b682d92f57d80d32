import { buildApp } from './app.js';

// The entry `cdk synth` runs (cdk.json). Tests call buildApp() directly.
buildApp().app.synth();
