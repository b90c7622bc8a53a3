/**
 * rnn-course-kit/graph: the computational graph of a TensorFlow.js computation, recorded from the
 * engine's tape and drawn like torchviz's `make_dot`.
 */
export {
  makeDot, recordGraph, graphSvg, graphDot, kernelCounts,
  type GraphDrawing, type DrawOptions, type RecordOptions,
  type ComputationGraph, type GraphNode, type ParamNode, type OpNode, type OutputNode, type GraphEdge, type TensorRef, type NamedTensors,
} from '../lib/graph/index.js';
