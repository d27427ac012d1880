// The Deployment-to-ready scenario of `make bench` run with @ngrok/webernetes 0.3.5 (npm,
// Apache-2.0), Kubernetes simulated in JavaScript, for the side-by-side figure
// `webernetes_ratio_N` (scripts/bench-browser.mjs runs this).
//
// usage: node scripts/bench-webernetes.mjs [N=100] [--clock=virtual|real] [--timeout-s=300]
//
// Prints exactly one line on stdout:
//   webernetes nodes=<k> replicas=<N> boot_ms=<x> deploy_ready_ms=<y> config=<...>
// or, if all replicas are not ready within the wall-clock budget:
//   webernetes nodes=<k> replicas=<N> boot_ms=<x> deploy_ready_ms=timeout ready=<r> config=<...>
// Diagnostics go to stderr.
//
// The simulation runs in a worker thread so the main thread can enforce the
// wall-clock limit even while the worker is inside one long synchronous /
// microtask-only stretch of simulation work (where no timer could fire).

import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { register } from "node:module";

const PKG_INDEX = new URL("../node_modules/@ngrok/webernetes/dist/index.js", import.meta.url).href;

function parseArgs(argv) {
	let n = 100;
	let clock = "virtual";
	let timeoutS = 300;
	for (const a of argv) {
		if (a.startsWith("--clock=")) clock = a.slice(8);
		else if (a.startsWith("--timeout-s=")) timeoutS = Number(a.slice(12));
		else if (/^\d+$/.test(a)) n = Number(a);
		else throw new Error(`unknown argument ${a}`);
	}
	if (!Number.isInteger(n) || n < 1) throw new Error("N must be a positive integer");
	if (clock !== "virtual" && clock !== "real") throw new Error("--clock must be virtual or real");
	return { n, clock, timeoutS };
}

// Pods created by Cluster.init() in kube-system: kube-scheduler,
// namespace-controller, deployment-controller, replicaset-controller,
// garbage-collector, endpointslice-controller, kube-proxy, coredns.
const CONTROL_PLANE_PODS = 8;

const CONFIG = {
	virtual:
		"virtual-clock:paused+step-to-next-due-timer(setImmediate-drain-between-steps),noop-latency,no-probes,image=nginx:1.27(IfNotPresent),ready-via-informer",
	real: "real-time-clock:default-unpaused,noop-latency,no-probes,image=nginx:1.27(IfNotPresent),ready-via-informer",
};

if (isMainThread) {
	const { n, clock, timeoutS } = parseArgs(process.argv.slice(2));
	const nodes = Math.ceil(n / 30);
	// [0]=ready replicas, [1]=boot done flag, [2..3]=boot_ms as float64 bits
	const shared = new SharedArrayBuffer(32);
	const i32 = new Int32Array(shared, 0, 2);
	const f64 = new Float64Array(shared, 8, 1);
	const worker = new Worker(new URL(import.meta.url), { workerData: { n, nodes, clock, shared } });
	let finished = false;
	const fmtBoot = () => (Atomics.load(i32, 1) ? f64[0].toFixed(1) : "unfinished");
	const timer = setTimeout(() => {
		if (finished) return;
		finished = true;
		const ready = Atomics.load(i32, 0);
		console.log(
			`webernetes nodes=${nodes} replicas=${n} boot_ms=${fmtBoot()} deploy_ready_ms=timeout ready=${ready} config=${CONFIG[clock]}`,
		);
		void worker.terminate().then(() => process.exit(2));
	}, timeoutS * 1000);
	worker.on("message", (msg) => {
		if (msg.type === "result" && !finished) {
			finished = true;
			clearTimeout(timer);
			console.log(
				`webernetes nodes=${nodes} replicas=${n} boot_ms=${msg.bootMs.toFixed(1)} deploy_ready_ms=${msg.readyMs.toFixed(1)} config=${CONFIG[clock]}`,
			);
			if (msg.diag) console.error(msg.diag);
			void worker.terminate().then(() => process.exit(0));
		}
	});
	worker.on("error", (err) => {
		if (finished) return;
		finished = true;
		clearTimeout(timer);
		console.error("worker error:", err);
		process.exit(1);
	});
} else {
	await runWorker(workerData);
}

async function runWorker({ n, nodes, clock: clockMode, shared }) {
	const i32 = new Int32Array(shared, 0, 2);
	const f64 = new Float64Array(shared, 8, 1);

	// The published dist/ uses extensionless relative specifiers ("./clock",
	// "./client" for client/index.js), which Node's ESM loader rejects. This
	// resolve hook appends ".js" / "/index.js" for relative imports inside
	// dist/ only. "events" and "buffer" resolve to Node built-ins.
	const hook = `
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
export async function resolve(spec, ctx, next) {
  if ((spec.startsWith("./") || spec.startsWith("../")) && ctx.parentURL &&
      ctx.parentURL.includes("/dist/") && !spec.endsWith(".js")) {
    const p = fileURLToPath(new URL(spec, ctx.parentURL));
    if (existsSync(p + ".js")) return next(spec + ".js", ctx);
    if (existsSync(p) && statSync(p).isDirectory()) return next(spec + "/index.js", ctx);
  }
  return next(spec, ctx);
}`;
	register("data:text/javascript," + encodeURIComponent(hook));
	const { Cluster, BaseImage } = await import(PKG_INDEX);

	// nginx-like image: serves HTTP on :80 until killed.
	class NginxImage extends BaseImage {
		static imageName = "nginx";
		static imageVersion = "1.27";
		defaultCommand = ["nginx"];
		async exec(ctx, argv) {
			if (argv[0] !== "nginx") return await super.exec(ctx, argv);
			ctx.listenHttp(80, async () => ({ status: 200, body: "<h1>Welcome to nginx!</h1>\n" }));
			return await ctx.waitUntilKilled();
		}
	}

	const deployment = {
		apiVersion: "apps/v1",
		kind: "Deployment",
		metadata: { name: "web", namespace: "default", labels: { app: "web" } },
		spec: {
			replicas: n,
			selector: { matchLabels: { app: "web" } },
			template: {
				metadata: { labels: { app: "web" } },
				spec: {
					containers: [
						{
							name: "nginx",
							image: "nginx:1.27",
							ports: [{ containerPort: 80 }],
							resources: { requests: { cpu: "10m", memory: "16Mi" } },
						},
					],
				},
			},
		},
	};

	const virtual = clockMode === "virtual";
	let steps = 0;
	let timeJumps = 0;
	const jumps = [];

	// Drive the paused simulation clock flat out until `isDone()`:
	//  1. let all pending JS promise work run (one macrotask turn),
	//  2. if clock-microtasks are queued, flush them (step(0)),
	//  3. otherwise the simulation is idle until its next timer: jump the
	//     virtual clock straight to that timer's due time and run it.
	const yieldMacrotask = () => new Promise((resolve) => setImmediate(resolve));
	async function drive(simClock, isDone) {
		while (!isDone()) {
			await yieldMacrotask();
			if (isDone()) break;
			if (!virtual) continue;
			if (simClock.microtasks.length > 0) {
				simClock.step(0);
				steps++;
				continue;
			}
			let next = Infinity;
			for (const t of simClock.tasks.values()) {
				if (!t.cancelled && t.dueAtMs < next) next = t.dueAtMs;
			}
			if (next === Infinity) throw new Error("simulation idle with no pending timers");
			const delta = Math.max(0, next - simClock.nowMs());
			simClock.step(delta);
			steps++;
			if (delta > 0) {
				timeJumps++;
				if (jumps.length < 20) jumps.push(delta);
			}
		}
	}
	const settle = async (simClock, promise) => {
		let done = false;
		let value;
		let error;
		promise.then(
			(v) => {
				value = v;
				done = true;
			},
			(e) => {
				error = e;
				done = true;
			},
		);
		if (virtual) await drive(simClock, () => done);
		else await promise.catch(() => undefined);
		if (error) throw error;
		return value;
	};

	// ---- boot: construct cluster with k nodes + control plane pods ----
	const tBoot0 = performance.now();
	const cluster = new Cluster({ nodes });
	cluster.registerImage(NginxImage);
	if (virtual) cluster.pause();
	const sim0 = cluster.clock.nowMs();
	// Watch kube-system pods so "boot" ends only once the control plane
	// (scheduler, controllers, kube-proxy, coredns) is actually Ready, not
	// merely when cluster.init() has created their Pod objects.
	const cpReady = new Map();
	let resolveCp;
	const cpPromise = new Promise((r) => (resolveCp = r));
	let cpInformer;
	const initMsHolder = {};
	const initThenWatch = cluster.init().then(() => {
		initMsHolder.ms = performance.now() - tBoot0;
		cpInformer = cluster.informer(
			"pods",
			(type, p) => {
				const name = p.metadata?.name;
				if (type === "delete") cpReady.delete(name);
				else
					cpReady.set(
						name,
						!!p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
					);
				if (cpReady.size >= CONTROL_PLANE_PODS && [...cpReady.values()].every(Boolean)) resolveCp();
			},
			{ namespace: "kube-system" },
		);
		return cpPromise;
	});
	await settle(cluster.clock, initThenWatch);
	const bootMs = performance.now() - tBoot0;
	void cpInformer;
	f64[0] = bootMs;
	Atomics.store(i32, 1, 1);
	const bootSimMs = cluster.clock.nowMs() - sim0;
	const bootSteps = steps;
	const bootJumps = jumps.join(",");
	steps = 0;
	timeJumps = 0;
	jumps.length = 0;

	// ---- deploy: apply Deployment, wait for status.readyReplicas == N ----
	let ready = 0;
	let tReady;
	let resolveReady;
	const readyPromise = new Promise((r) => (resolveReady = r));
	const informer = cluster.informer(
		"deployments",
		(_type, d) => {
			if (d.metadata?.name !== "web") return;
			ready = d.status?.readyReplicas ?? 0;
			Atomics.store(i32, 0, ready);
			if (ready >= n && tReady === undefined) {
				tReady = performance.now();
				resolveReady();
			}
		},
		{ namespace: "default" },
	);
	// let the informer list+watch establish before the clock starts for the run
	if (virtual) {
		for (let i = 0; i < 3; i++) {
			await yieldMacrotask();
			if (cluster.clock.microtasks.length) cluster.clock.step(0);
		}
	} else {
		for (let i = 0; i < 3; i++) await yieldMacrotask();
	}

	const sim1 = cluster.clock.nowMs();
	const t0 = performance.now();
	const applyPromise = cluster.apply([deployment]);
	await settle(cluster.clock, Promise.all([applyPromise, readyPromise]));
	const readyMs = tReady - t0;
	const deploySimMs = cluster.clock.nowMs() - sim1;

	// ---- verification (not timed) ----
	const dep = await settle(
		cluster.clock,
		cluster.api.appsv1.readNamespacedDeployment({ name: "web", namespace: "default" }),
	);
	const pods = await settle(
		cluster.clock,
		cluster.api.corev1.listNamespacedPod({ namespace: "default", labelSelector: "app=web" }),
	);
	const perNode = new Map();
	let podsReady = 0;
	let running = 0;
	const ips = new Set();
	for (const p of pods.items) {
		perNode.set(p.spec?.nodeName, (perNode.get(p.spec?.nodeName) ?? 0) + 1);
		if (p.status?.phase === "Running") running++;
		if (p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) podsReady++;
		if (p.status?.podIP) ips.add(p.status.podIP);
	}
	const counts = [...perNode.values()];
	const diag =
		`diag clock=${clockMode} init_resolved_ms=${initMsHolder.ms.toFixed(1)} boot_sim_ms=${bootSimMs} boot_steps=${bootSteps} boot_jumps=[${bootJumps}] ` +
		`deploy_sim_ms=${deploySimMs} deploy_steps=${steps} time_jumps=${timeJumps}[${jumps.join(",")}] ` +
		`status.readyReplicas=${dep.status?.readyReplicas} availableReplicas=${dep.status?.availableReplicas} ` +
		`pods=${pods.items.length} running=${running} podReady=${podsReady} uniqueIPs=${ips.size} ` +
		`nodesUsed=${perNode.size} podsPerNode[min,max]=[${Math.min(...counts)},${Math.max(...counts)}]`;
	void informer;
	parentPort.postMessage({ type: "result", bootMs, readyMs, diag });
}
