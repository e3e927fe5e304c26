// The code of Sources/KerasCore/KerasCore.docc, compiled and run (DocCatalogTests checks that
// each ```swift block of the catalog appears here verbatim).
import KerasCore
import Testing

@Suite("DocC: KerasCore") struct DocSnippetTests {
    @Test func landingPage() {
        let x = Tensor([[1, 2], [3, 4]]).cast(to: .float32)
        let w = Variable(Tensor.ones([2, 1]))
        let (loss, grads) = valueWithGradients(of: [w]) {
            x.matmul(w).square().mean()
        }
        // mean((3, 7)²) = 29; d/dw = (2/2) · xᵀ(xw) = (1·3 + 3·7, 2·3 + 4·7) = (24, 34)
        #expect(loss.item == 29)
        #expect(grads[0].toArray(of: Float.self) == [24, 34])
    }
}
