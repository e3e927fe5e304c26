import Foundation
@testable import Keras
import KerasTestSupport
import Testing

@Suite("Utils against Keras 3")
struct UtilsTests {
    static var fixture: [String: [[String: Any]]] { try! loadFixture("utils.json") as! [String: [[String: Any]]] }

    @Test("toCategorical")
    func categorical() throws {
        for c in Self.fixture["to_categorical"]! {
            let labels = c["labels"]!
            let shape: [Int] = (labels as? [[Int]]).map { [$0.count, $0[0].count] } ?? [(labels as! [Int]).count]
            let flat = flattenNumbers(labels).map { Int32($0) }
            let got = try toCategorical(Tensor(shape: shape, scalars: flat), numClasses: c["num_classes"] as? Int)
            assertClose(got, tensorFromFixture(c["expected"]!), rtol: 0, atol: 0)
        }
        #expect(try toCategorical([1, 0, 3]).shape == [3, 4])
        #expect(throws: KerasError.self) { try toCategorical([0, 5], numClasses: 3) }
        #expect(throws: KerasError.self) { try toCategorical(Tensor([0.5, 1.0])) }
    }

    @Test("normalize")
    func normalizing() throws {
        for c in Self.fixture["normalize"]! {
            let got = try normalize(tensorFromFixture(c["x"]!), axis: c["axis"] as! Int, order: c["order"] as! Int)
            assertClose(got, tensorFromFixture(c["expected"]!), rtol: 1e-6, atol: 1e-7)
        }
    }

    @Test("padSequences")
    func padding() throws {
        for c in Self.fixture["pad_sequences"]! {
            let kw = c["kwargs"] as! [String: Any]
            let got = try padSequences(c["sequences"] as! [[Int]], maxlen: kw["maxlen"] as? Int,
                                   padding: SequenceEnd(rawValue: kw["padding"] as? String ?? "pre")!,
                                   truncating: SequenceEnd(rawValue: kw["truncating"] as? String ?? "pre")!,
                                   value: (kw["value"] as? NSNumber)?.doubleValue ?? 0)
            #expect(got.dtype == .int32)
            assertClose(got, tensorFromFixture(c["expected"]!), rtol: 0, atol: 0, "\(kw)")
        }
    }

    @Test("Python float repr")
    func pythonRepr() {
        for c in Self.fixture["repr"]! {
            let expected = c["repr"] as! String
            // Parse Python's own text: Foundation's JSON numbers are not correctly rounded on Linux.
            #expect(PythonFormat.repr(Double(expected)!) == expected)
        }
        #expect(PythonFormat.repr(-0.0) == "-0.0" && PythonFormat.repr(.nan) == "nan" && PythonFormat.repr(-.infinity) == "-inf")
    }
}
