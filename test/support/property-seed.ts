// Property tests run with one fixed seed so CI is deterministic; FC_SEED=<n> (or FC_SEED=random) explores others.
import fc from 'fast-check';

const given = process.env['FC_SEED'];
if (given !== 'random') fc.configureGlobal({ seed: given === undefined ? 20_261_201 : Number(given) });
