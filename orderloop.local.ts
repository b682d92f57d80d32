/**
 * How the local runtime (`local/`, the `@orderloop/local` workspace package) runs this app: which CDK
 * app to synthesize, what to seed, and what `npm start`'s banner adds. The package reads this file and
 * never imports the app otherwise.
 */
import { defineLocalConfig } from '@orderloop/local/config';
import { DEMO_USERS, DEMO_VENDORS, seedCatalog } from './scripts/seed.js';

export default defineLocalConfig({
  synth: {
    app: 'infra/app.ts',
    export: 'buildApp',
    // Everything the templates and the Lambda bundles are built from.
    sources: ['schema.graphql', 'resolvers', 'domain', 'functions', 'infra', 'package-lock.json'],
  },
  seed: {
    users: DEMO_USERS,
    data: async (stack) => {
      const seeded = await seedCatalog(stack);
      return `${seeded.created} product(s) created, ${seeded.existing} already there`;
    },
  },
  banner: {
    title: 'orderloop local stack',
    lines: () => [`  Vendors     ${DEMO_VENDORS.map((v) => `${v.vendorId} (${v.name})`).join(', ')}`],
  },
});
