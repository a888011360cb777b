// Reverse-mode autodiff on ONNX graphs: returns a model that computes the forward outputs plus the
// gradient of a scalar target w.r.t. chosen tensors, using only standard ONNX ops.
import { clone, OperatorSetIdProtoSchema, NodeProtoSchema, create } from '../onnx/proto.ts';
import type { ModelProto, NodeProto, GraphProto } from '../onnx/proto.ts';
import { makeValueInfo } from '../onnx/builder.ts';
import { dimsOf, dtypeOfOnnx } from '../onnx/tensor-proto.ts';
import type { GradientModel, GradientRequest } from './types.ts';
import { Emitter } from './emitter.ts';
import { inferShapes, isFloatType, type ShapeTable, type Dim } from './shapes.ts';
import { GradCtx } from './rules/context.ts';
import { GRAD_RULES, differentiableInputs } from './rules/index.ts';
import { nodeLabel } from './attrs.ts';
import { buildTarget } from './target.ts';
import { upgradeOpset } from './opset.ts';

/** Opset of the gradient model: ScatterElements with reduction='add' needs 16. */
export const MIN_GRADIENT_OPSET = 17;

export function defaultOpset(model: ModelProto): number {
  const o = model.opsetImport.find((x) => x.domain === '' || x.domain === 'ai.onnx');
  return o ? Number(o.version) : 1;
}

/** Tensors a node reads, including outer-scope names used inside its subgraphs (If/Loop/Scan). */
export function nodeReads(n: NodeProto): string[] {
  const out = [...n.input];
  const visit = (g: GraphProto) => {
    const local = new Set<string>([...g.input.map((i) => i.name), ...g.initializer.map((i) => i.name), ...g.node.flatMap((x) => x.output)]);
    for (const x of g.node) for (const r of nodeReads(x)) if (!local.has(r)) out.push(r);
  };
  for (const a of n.attribute) {
    if (a.g) visit(a.g);
    for (const sg of a.graphs) visit(sg);
  }
  return out;
}

/** Nodes in dependency order (stable: keeps the file order where it is already valid). */
export function topoSort(graph: GraphProto): NodeProto[] {
  const available = new Set<string>(['']);
  for (const i of graph.input) available.add(i.name);
  for (const i of graph.initializer) available.add(i.name);
  const producers = new Map<string, number>();
  graph.node.forEach((n, i) => n.output.forEach((o) => producers.set(o, i)));
  const reads = graph.node.map((n) => [...new Set(nodeReads(n))]);
  const waiting = reads.map((rs) => rs.filter((x) => !available.has(x) && producers.has(x)).length);
  const consumers = new Map<string, number[]>();
  reads.forEach((rs, i) => rs.forEach((x) => {
    if (!available.has(x) && producers.has(x)) consumers.set(x, [...(consumers.get(x) ?? []), i]);
  }));
  const ready = graph.node.map((_, i) => i).filter((i) => waiting[i] === 0);
  const order: NodeProto[] = [];
  const done = new Set<number>();
  while (ready.length) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    if (done.has(i)) continue;
    done.add(i);
    order.push(graph.node[i]!);
    for (const o of graph.node[i]!.output) for (const j of consumers.get(o) ?? []) if (--waiting[j]! === 0) ready.push(j);
  }
  if (order.length !== graph.node.length) {
    const stuck = graph.node.find((_, i) => !done.has(i))!;
    throw new Error(`autodiff: the graph has a cycle or a missing input (node "${nodeLabel(stuck)}" never becomes ready)`);
  }
  return order;
}

export function buildGradientModel(model: ModelProto, req: GradientRequest): GradientModel {
  if (!model.graph) throw new Error('autodiff: the model has no graph');
  const m = copyForEdit(model);
  const g = m.graph!;
  const srcOpset = defaultOpset(m);
  const opset = Math.max(srcOpset, MIN_GRADIENT_OPSET);
  const used = new Set<string>();
  for (const v of [...g.input, ...g.output, ...g.valueInfo]) used.add(v.name);
  for (const t of g.initializer) used.add(t.name);
  for (const n of g.node) { n.output.forEach((o) => used.add(o)); n.input.forEach((i) => used.add(i)); if (n.name) used.add(n.name); }
  upgradeOpset(g, srcOpset, used);
  const order = topoSort(g);
  g.node = order;
  const shapes = inferShapes(g, order, opset);

  const known = new Set<string>([...g.input.map((i) => i.name), ...g.initializer.map((i) => i.name), ...order.flatMap((n) => n.output)]);
  const checkTensor = (t: string, role: string) => {
    if (!known.has(t)) throw new Error(`autodiff: ${role} "${t}" is not a tensor of this model (not an input, initializer or node output)`);
  };
  checkTensor(req.target.tensor, 'target tensor');
  for (const w of req.wrt) checkTensor(w, 'wrt tensor');
  if (!isFloatType(shapes.get(req.target.tensor).dtype)) throw new Error(`autodiff: target tensor "${req.target.tensor}" is not floating point`);
  for (const w of req.wrt) {
    if (!isFloatType(shapes.get(w).dtype)) throw new Error(`autodiff: wrt tensor "${w}" is not floating point`);
  }

  // Initializers the caller will feed: move them to graph inputs.
  const extraInputs: string[] = [];
  for (const name of req.initializersAsInputs ?? []) {
    const idx = g.initializer.findIndex((t) => t.name === name);
    if (idx < 0) throw new Error(`autodiff: initializersAsInputs: "${name}" is not an initializer of this model`);
    const t = g.initializer[idx]!;
    g.initializer.splice(idx, 1);
    g.input.push(makeValueInfo(name, dimsOf(t), dtypeOfOnnx(t.dataType) ?? 'float32'));
    extraInputs.push(name);
  }

  for (const t of g.initializer) shapes.constants.add(t.name);
  const e = new Emitter(used, opset);
  const target = buildTarget(e, g, shapes, req.target);
  extraInputs.push(...target.extraInputs);

  // Tensors on a path wrt → target.
  const fwd = new Set(req.wrt);
  for (const n of order) {
    const diff = differentiableInputs(n.opType, n.input.length);
    if (diff.some((i) => fwd.has(n.input[i]!))) {
      for (const o of n.output) if (o && isFloatType(shapes.get(o).dtype)) fwd.add(o);
    }
  }
  const bwd = new Set([req.target.tensor]);
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k]!;
    if (n.output.some((o) => bwd.has(o))) for (const i of differentiableInputs(n.opType, n.input.length)) if (n.input[i]) bwd.add(n.input[i]!);
  }
  const active = (t: string) => fwd.has(t) && bwd.has(t);

  const contributions = new Map<string, string[]>();
  const finalGrad = new Map<string, string | undefined>();
  const addGrad = (t: string, gname: string) => contributions.set(t, [...(contributions.get(t) ?? []), gname]);
  const gradOf = (t: string): string | undefined => {
    if (finalGrad.has(t)) return finalGrad.get(t);
    const cs = contributions.get(t) ?? [];
    const r = cs.length === 0 ? undefined : cs.length === 1 ? cs[0] : e.op('Sum', cs);
    finalGrad.set(t, r);
    return r;
  };
  if (active(req.target.tensor)) addGrad(req.target.tensor, target.seed);

  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k]!;
    const outGrads = n.output.map((o) => (o && active(o) ? gradOf(o) : undefined));
    if (!outGrads.some((x) => x)) continue;
    const diff = new Set(differentiableInputs(n.opType, n.input.length));
    const needed = n.input.map((x, i) => !!x && diff.has(i) && active(x) && isFloatType(shapes.get(x).dtype));
    if (!needed.some((x) => x)) continue;
    const rule = GRAD_RULES[n.opType];
    if (!rule || (n.domain !== '' && n.domain !== 'ai.onnx')) {
      throw new Error(`autodiff: no gradient for op "${n.domain ? n.domain + '.' : ''}${n.opType}" (node "${nodeLabel(n)}")`);
    }
    const grads = rule(new GradCtx(e, n, shapes, opset, outGrads, needed));
    needed.forEach((nd, i) => {
      if (!nd) return;
      const gi = grads[i];
      if (!gi) throw new Error(`autodiff: internal: ${n.opType} node "${nodeLabel(n)}" produced no gradient for input ${i}`);
      addGrad(n.input[i]!, gi);
    });
  }

  // Outputs: original ones (optional), the target scalar, one gradient per wrt tensor.
  const outputs = req.keepOutputs === false ? [] : [...g.output];
  outputs.push(makeValueInfo(target.output, [], 'float32'));
  const gradients: Record<string, string> = {};
  for (const w of req.wrt) {
    if (gradients[w]) continue;
    // A wrt tensor the target does not depend on has an exactly zero gradient.
    const gw = gradOf(w) ?? e.zerosLike(w);
    const outName = e.named(`grad/${w}`);
    e.node('Identity', [gw], {}, 1, [outName]);
    gradients[w] = outName;
    outputs.push(makeValueInfo(outName, shapes.get(w).dims as Dim[] | undefined, 'float32'));
  }

  g.node = [...order, ...target.nodes, ...e.nodes];
  g.initializer.push(...e.initializers);
  g.output = outputs;
  g.input.push(...target.inputs);
  pruneDead(g);
  setOpset(m, opset);
  if (m.irVersion < 8n) m.irVersion = 8n;
  return { model: m, gradients, targetOutput: target.output, extraInputs };
}

/** A copy whose graph lists and nodes can be edited; initializer data is shared, not copied
 *  (weights can be hundreds of MB and are never modified here). */
function copyForEdit(model: ModelProto): ModelProto {
  const g = model.graph!;
  return {
    ...model,
    opsetImport: model.opsetImport.map((o) => clone(OperatorSetIdProtoSchema, o)),
    graph: {
      ...g,
      node: g.node.map((n) => clone(NodeProtoSchema, n)),
      initializer: [...g.initializer], input: [...g.input], output: [...g.output], valueInfo: [...g.valueInfo],
    },
  };
}

function setOpset(m: ModelProto, opset: number): void {
  const o = m.opsetImport.find((x) => x.domain === '' || x.domain === 'ai.onnx');
  if (o) o.version = BigInt(opset);
  else m.opsetImport.push(create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) }));
}

/** Drop nodes and initializers no output depends on (e.g. forward branches when keepOutputs=false). */
function pruneDead(g: GraphProto): void {
  const need = new Set(g.output.map((o) => o.name));
  const keep: NodeProto[] = [];
  for (let k = g.node.length - 1; k >= 0; k--) {
    const n = g.node[k]!;
    if (n.output.some((o) => need.has(o))) { keep.push(n); nodeReads(n).forEach((i) => need.add(i)); }
  }
  g.node = keep.reverse();
  g.initializer = g.initializer.filter((t) => need.has(t.name));
  // Unused graph inputs stay: callers feed them regardless.
}

export type { ShapeTable };
