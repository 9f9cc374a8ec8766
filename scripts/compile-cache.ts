// Loaded first by every service process the launcher, the tests and the benches start (nodeArgs in
// node-args.ts). Node then keeps the code it compiles for each module on disk (NODE_COMPILE_CACHE,
// else os.tmpdir()/node-compile-cache), and the next start of any service reuses it where the
// module is unchanged: a service imports thousands of modules (Apollo, OpenTelemetry, BullMQ), and
// `npm start` starts a dozen services on a machine's few cores. Measured on 2 cores (2026-12-06,
// 3 runs each, alternating, the time until `npm start` prints that everything is up): 23.8–30.7 s
// with it against 30.0–32.4 s without. A cache that cannot be written only costs the saving: Node
// runs as without it. Containers (Dockerfile, docker-compose.yml) start each service once and keep
// nothing between starts: they do not load it.
import { enableCompileCache } from 'node:module';

enableCompileCache();
