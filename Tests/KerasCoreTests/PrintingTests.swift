import Foundation
import KerasCore
import KerasTestSupport
import Testing

/// `print(tensor)` against NumPy's `str(array)` (fixtures from `ops_generate.py`) and TensorFlow's
/// `tf.Tensor(…, shape=…, dtype=…)` wrapper.
@Suite struct PrintingTests {
    @Test func matchesNumPyStr() throws {
        let root = try #require(try loadFixture("ops_printing.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count > 40)
        for c in cases {
            let name = c["name"] as! String, expected = c["str"] as! String
            let tensor = tensorFromFixture(c["tensor"]!)
            let text = tensor.description
            let prefix = "Tensor(", suffix = ", shape=\(formatShape(tensor.shape)), dtype=\(tensor.dtype))"
            #expect(text.hasPrefix(prefix) && text.hasSuffix(suffix), "\(name): \(text)")
            var body = String(text.dropFirst(prefix.count).dropLast(suffix.count))
            if expected.contains("\n") {
                #expect(body.hasPrefix("\n"), "\(name): a multi-line value starts on its own line")
                body = String(body.dropFirst())
            }
            #expect(body == expected, "\(name):\n\(body)\nexpected:\n\(expected)")
        }
    }

    @Test func tensorFlowForm() {
        #expect(Tensor([[1.0, 2.0], [3.0, 4.0]]).description
                == "Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)")
        #expect(Tensor([1, 2, 3]).description == "Tensor([1 2 3], shape=(3,), dtype=int32)")
        #expect(Tensor(2.5).description == "Tensor(2.5, shape=(), dtype=float32)")
        #expect(Tensor.zeros([0, 2]).description == "Tensor([], shape=(0, 2), dtype=float32)")
        #expect(formatShape([nil, 3]) == "(None, 3)")
    }
}
