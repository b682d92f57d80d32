import { afterEach, describe, expect, it } from 'vitest';
import { assertJava } from '../../dynamodb/engine.js';

describe('DynamoDB Local prerequisites', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('fails with install instructions when java is not on PATH', () => {
    // Prepare
    process.env.PATH = '/nonexistent';
    // Act + Assess
    expect(() => assertJava()).toThrow(/needs Java 17 or newer.*apt-get install -y openjdk-17-jre-headless/s);
  });

  it('accepts the Java on this machine', () => {
    expect(() => assertJava()).not.toThrow();
  });
});
