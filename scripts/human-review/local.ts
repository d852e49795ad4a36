/**
 * `npm run human-review:local [-- --port 8787]`: the reviewer app and both APIs on this machine
 * (see local-stack.ts), with a few of the sample's reviews predicted so that tasks are waiting.
 * The scheduled function runs every 15 seconds. Stop it with Ctrl-C.
 */
import { startLocalStack } from './local-stack';
import { sampleReviews } from './sample-reviews';

const SEEDED = 20;

async function main() {
  const at = process.argv.indexOf('--port');
  const port = at >= 0 ? Number(process.argv[at + 1]) : 8787;
  const stack = await startLocalStack({ port });
  const reviews = sampleReviews().slice(0, SEEDED);
  await fetch(new URL('predictions', stack.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reviews }) });
  const retries = setInterval(() => void stack.retry().catch((error) => console.error(error)), 15_000);
  const items = await stack.items();
  console.log(`Human review runs locally at ${stack.url}`);
  console.log(`  ${items.filter((i) => i.status === 'queued').length} of ${SEEDED} sample reviews wait for a reviewer (the stand-in endpoint fails every third call; those are retried).`);
  console.log('  Sign in under any name (the sign-in is a local stand-in for Cognito), then label with the keys -, 0 and 1.');
  console.log(`  Prediction API: POST ${stack.url}predictions {"reviews": [{"text": "..."}]}`);
  console.log(`  Ground truth and human-review records: ${stack.lakeDir}`);
  const stop = async () => {
    clearInterval(retries);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
