import Foundation
import Keras
import KerasTestSupport
import Testing

/// Hashing against real Keras (TensorFlow's FarmHash Fingerprint64 and keyed SipHash buckets)
/// on strings of every length class, integers, floats, masks and output modes.
@Suite struct HashingTests {
    typealias F = LookupFixture

    @Test(arguments: F.names("hashing"))
    func binsMatchKeras(_ name: String) throws {
        let kase = try F.named("hashing", name)
        let layer = try Hashing(config: F.config(kase))
        let y: Tensor
        if let strings = kase["strings"] as? [String] {
            y = layer(strings)
        } else if let ints = kase["ints"] as? [Any] {
            y = layer(F.tensor(F.numbers(ints), [ints.count], .int64))
        } else {
            let floats = F.numbers(kase["floats"])
            y = layer(F.tensor(floats, [floats.count]))
        }
        #expect(y.dtype == .int64)
        #expect(y.cast(to: .float64).doubles == F.numbers(kase["y"]), "\(name)")
        let copy = try #require(try deserializeLayer(serializeLayer(layer)) as? Hashing)
        #expect(copy.numBins == layer.numBins && copy.salt == layer.salt && copy.maskValue == layer.maskValue)
    }

    @Test func outputModesMatchKeras() throws {
        for kase in F.cases("hashing_modes") {
            let mode = try #require(LookupOutputMode(rawValue: kase["mode"] as! String))
            let layer = Hashing(numBins: 4, outputMode: mode)
            let rows = kase["queries"] as! [[String]]
            assertClose(layer(rows), F.tensor(F.numbers(kase["y"]), F.shape(kase["shape"])), rtol: 0, atol: 0, mode.rawValue)
            assertClose(layer(rows[1]), F.tensor(F.numbers(kase["y1"]), F.shape(kase["shape1"])), rtol: 0, atol: 0, "\(mode.rawValue) rank 1")
        }
    }

    @Test func worksInAModelAndRejectsBadInput() throws {
        let input = Input(shape: [3], dtype: .int64)
        let model = try Model(inputs: input, outputs: Hashing(numBins: 5, outputMode: .multiHot)(input))
        #expect(try model.outputShape == [nil, 5])
        #expect(throws: KerasError.self) { try Hashing(config: ["num_bins": 0]) }
        #expect(throws: KerasError.self) { try Hashing(config: [:]) }
        #expect(throws: KerasError.self) { try Hashing(config: ["num_bins": 3, "output_mode": "tf_idf"]) }
        #expect(throws: KerasError.self) { try Hashing(config: ["num_bins": 3, "salt": [1, 2, 3]]) }
        #expect(throws: KerasError.self) { try Hashing(config: ["num_bins": 3, "dtype": "float32"]) }
        #expect(Hashing(numBins: 3).validateInputData(Tensor([1.0, .nan])) != nil)
        #expect(Hashing(numBins: 3).validateInputData(Tensor([1.0, 2.0])) == nil)
    }
}
