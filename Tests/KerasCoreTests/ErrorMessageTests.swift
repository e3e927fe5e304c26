import Foundation
import KerasCore
import Testing

/// Misuse stops with a message naming the op and the shapes (each case runs in its own process).
@Suite struct ErrorMessageTests {
    /// Runs `body` in a child process and checks that it fails with `message` on stderr.
    static func expectFailure(_ message: String, sourceLocation: SourceLocation = #_sourceLocation,
                              _ result: ExitTest.Result?) {
        guard let result else { return }
        let stderr = String(decoding: result.standardErrorContent, as: UTF8.self)
        #expect(stderr.contains(message), "stderr was: \(stderr)", sourceLocation: sourceLocation)
    }

    @Test func broadcastMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]) + Tensor.ones([4])
        }
        Self.expectFailure("add: shapes [2, 3] and [4] cannot be broadcast", r)
    }

    @Test func matmulInnerDimensions() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.ones([3, 4]), Tensor.ones([5, 2]))
        }
        Self.expectFailure("matmul: inner dimensions differ: [3, 4] × [5, 2] (4 ≠ 5)", r)
    }

    @Test func reshapeCount() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]).reshaped(to: [4, 2])
        }
        Self.expectFailure("reshape: cannot reshape a tensor of shape [2, 3] (6 elements) into [4, 2]", r)
    }

    @Test func concatenateShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = concatenate([Tensor.ones([2, 3]), Tensor.ones([3, 3])], axis: 1)
        }
        Self.expectFailure("concatenate: shapes [2, 3] and [3, 3] differ outside axis 1", r)
    }

    @Test func axisOutOfBounds() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]).sum(axes: [2])
        }
        Self.expectFailure("sum: axis 2 is out of bounds for a tensor of rank 2", r)
    }

    @Test func indexOutOfBounds() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3])[0, 3]
        }
        Self.expectFailure("subscript: index 3 is out of bounds for axis 1 with size 3 (shape [2, 3])", r)
    }

    @Test func floatIndices() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]).take(Tensor([0.0, 1.0]), axis: 1)
        }
        Self.expectFailure("take: indices must be an integer tensor, got float32", r)
    }

    @Test func gradientWithRespectToInteger() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = valueWithGradients(at: [Tensor([1, 2, 3])]) { $0[0].sum().cast(to: .float32) }
        }
        Self.expectFailure("cannot differentiate with respect to a int32 tensor", r)
    }

    @Test func gradientOfUnrecordedResult() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor([1.0, 2.0]))
            let tape = GradientTape()
            let loss = (w.value * 2).sum()   // computed outside tape.record
            _ = tape.gradient(loss, wrt: [w])
        }
        Self.expectFailure("gradient: the target was not recorded", r)
    }

    @Test func shapeTooLargeToCount() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1 << 62, 8])
        }
        Self.expectFailure("zeros: shape (4611686018427387904, 8) has more elements than an Int can count", r)
    }

    @Test func tileTooLarge() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([4, 4]).tile([1 << 40, 1 << 40])
        }
        Self.expectFailure("tile: shape (1099511627776, 4, 1099511627776, 4) has more elements than an Int can count", r)
    }

    @Test func negativeDimension() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.full([2, -3], 1)
        }
        Self.expectFailure("full: shape (2, -3) has a negative dimension (-3)", r)
    }

    @Test func variableAssignShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Variable(Tensor([1.0, 2.0]), name: "w").assign(Tensor([1.0, 2.0, 3.0]))
        }
        Self.expectFailure("Variable 'w'.assign: expected shape [2], got [3]", r)
    }
}
