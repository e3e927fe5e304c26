import Synchronization

/// One recorded step of a computation: which tensors it read and how to send a gradient back to
/// them. A graph of nodes hangs off every recorded ``Tensor``; ``backpropagate(from:seed:)`` walks it.
@usableFromInline
final class GradNode: @unchecked Sendable {
    /// The op that produced the tensor (for messages).
    let op: String
    /// Nodes of the op's inputs, aligned with the op's arguments (`nil` for untracked inputs).
    let inputs: [GradNode?]
    /// Given the gradient of the output, the gradients of the inputs (aligned with ``inputs``;
    /// `nil` where no gradient is needed). `nil` for leaves.
    let backward: ((Tensor) -> [Tensor?])?
    let shape: [Int]

    init(op: String, inputs: [GradNode?], shape: [Int], backward: ((Tensor) -> [Tensor?])?) {
        self.op = op
        self.inputs = inputs
        self.shape = shape
        self.backward = backward
    }

    /// A leaf: a watched variable or tensor.
    static func leaf(shape: [Int]) -> GradNode {
        GradNode(op: "leaf", inputs: [], shape: shape, backward: nil)
    }
}

/// Task-local autodiff state. Nothing here is global: parallel tests and tasks each see their own.
enum AutodiffContext {
    /// The innermost active recording scope, if any.
    @TaskLocal static var recorder: Recorder?
    /// Set inside ``withoutRecording(_:)`` and while running backward rules.
    @TaskLocal static var isPaused = false
}

/// The variables read while a gradient scope is active, each with its leaf node. Locked, since
/// code inside a scope may read variables from several threads.
final class Recorder: Sendable {
    private let leaves = Mutex<[ObjectIdentifier: GradNode]>([:])

    func leaf(for variable: Variable) -> GradNode {
        let key = ObjectIdentifier(variable)
        return leaves.withLock { leaves in
            if let node = leaves[key] { return node }
            let node = GradNode.leaf(shape: variable.shape)
            leaves[key] = node
            return node
        }
    }

    func existingLeaf(for variable: Variable) -> GradNode? { leaves.withLock { $0[ObjectIdentifier(variable)] } }
}

extension Tensor {
    /// Attaches a backward rule to `output` when any of `inputs` is recorded and recording is on.
    ///
    /// `backward` receives the output gradient and returns one gradient per input (`nil` for
    /// inputs that are not recorded); broadcasting is undone by the caller via ``unbroadcast(to:)``.
    ///
    /// `backward` is an autoclosure so the rule's closure (and its heap-allocated captures) is
    /// only built when something is recorded: an unrecorded op pays one test per input.
    @inlinable
    static func record(_ op: String, inputs: [Tensor], output: Tensor,
                       backward: @autoclosure () -> (Tensor) -> [Tensor?]) -> Tensor {
        var anyRecorded = false
        for t in inputs where t.node != nil { anyRecorded = true; break }
        guard anyRecorded else { return output }
        return recordSlow(op, inputs: inputs, output: output, backward: backward())
    }

    @usableFromInline
    static func recordSlow(_ op: String, inputs: [Tensor], output: Tensor,
                           backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard !AutodiffContext.isPaused, output.dtype.isFloatingPoint else { return output }
        var out = output
        out.node = GradNode(op: op, inputs: inputs.map(\.node), shape: output.shape, backward: backward)
        return out
    }
}

/// Runs reverse-mode differentiation from `root`, returning the gradient reaching every node.
func backpropagate(from root: Tensor, seed: Tensor? = nil) -> [ObjectIdentifier: Tensor] {
    guard let rootNode = root.node else { return [:] }
    // Topological order by iterative depth-first search.
    var order: [GradNode] = []
    var visited: Set<ObjectIdentifier> = []
    var stack: [(GradNode, Bool)] = [(rootNode, false)]
    while let (node, expanded) = stack.popLast() {
        if expanded { order.append(node); continue }
        if !visited.insert(ObjectIdentifier(node)).inserted { continue }
        stack.append((node, true))
        for case let input? in node.inputs where !visited.contains(ObjectIdentifier(input)) {
            stack.append((input, false))
        }
    }
    var grads: [ObjectIdentifier: Tensor] = [:]
    grads[ObjectIdentifier(rootNode)] = seed ?? Tensor.ones(like: root)
    AutodiffContext.$isPaused.withValue(true) {
        for node in order.reversed() {
            guard let backward = node.backward, let g = grads[ObjectIdentifier(node)] else { continue }
            let inputGrads = backward(g)
            for (input, ig) in zip(node.inputs, inputGrads) {
                guard let input, let ig else { continue }
                require(ig.shape == input.shape,
                        "gradient of \(node.op): rule produced shape \(ig.shape) for an input of shape \(input.shape)")
                let key = ObjectIdentifier(input)
                if let existing = grads[key] { grads[key] = existing + ig } else { grads[key] = ig }
            }
            if node !== rootNode { grads[ObjectIdentifier(node)] = nil }
        }
    }
    return grads
}
