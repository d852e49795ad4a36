/**
 * Jest's Node environment, with a temporary folder for each test file, removed when the file ends.
 *
 * Every CDK `App` without an `outdir` synthesizes into a new folder under the system's temporary
 * folder and copies its assets there (the AWS CLI layer of a bucket deployment alone is 22 MB), and
 * nothing removes them: a whole run would leave gigabytes behind and can fill a small disk. A jest
 * worker runs one test file at a time, so pointing its TMPDIR at a folder of the file's own while
 * the file runs keeps what a run leaves on disk to the files running at that moment.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { TestEnvironment } = require('jest-environment-node');

class TemporaryFolderEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    this.previousTmpdir = process.env.TMPDIR;
    this.tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-file-'));
    // The worker's own environment, which os.tmpdir() reads, and the test file's copy of it, which
    // child processes that a test starts inherit.
    process.env.TMPDIR = this.tmpdir;
    this.global.process.env.TMPDIR = this.tmpdir;
  }

  async teardown() {
    if (this.previousTmpdir === undefined) {
      delete process.env.TMPDIR;
    } else {
      process.env.TMPDIR = this.previousTmpdir;
    }
    fs.rmSync(this.tmpdir, { recursive: true, force: true });
    await super.teardown();
  }
}

module.exports = TemporaryFolderEnvironment;
