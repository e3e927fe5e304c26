import KerasCore
import KerasTestSupport
import Testing

@Suite struct SmokeTests {
    @Test func arithmeticAndGradients() {
        let x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        assertClose(x * 2 + 1, Tensor([[3.0, 5.0], [7.0, 9.0]]))
        checkGradients([Tensor([[0.5, -1.0, 2.0]]), Tensor([[1.0], [2.0]])]) { xs in
            (xs[0] * xs[1] - xs[1].exp() / xs[0]).tanh()
        }
        checkGradients([Tensor.randomNormal([2, 3], seed: 1), Tensor.randomNormal([3, 4], seed: 2)]) { xs in
            xs[0].matmul(xs[1]).softmax()
        }
    }
}
