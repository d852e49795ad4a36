/** Jest with the swc transformer: transpile only; `tsc --noEmit` type-checks once in `npm test`. */
module.exports = {
  testEnvironment: '<rootDir>/test/environment.js',
  // The platform's tests, and each family package's own (pipeline-definitions/families/<id>/test).
  roots: ['<rootDir>/test', '<rootDir>/pipeline-definitions/families'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  testTimeout: 120000,
};
