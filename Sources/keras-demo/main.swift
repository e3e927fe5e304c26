// The seed notebook, Keras's guide "The Sequential model" (keras.io/guides/sequential_model),
// cell by cell in Swift. The guide's prose is paraphrased in the comments; its code cells are
// reproduced with swift-keras. Run: swift run keras-demo
import Keras

func section(_ title: String) { print("\n## \(title)\n") }

// ---------------------------------------------------------------------------------------------
section("Setup")
// import keras; from keras import layers; from keras import ops
// In Swift one `import Keras` brings the layers, models and tensor ops.
setRandomSeed(3)

// ---------------------------------------------------------------------------------------------
section("When to use a Sequential model")
// A Sequential model fits a plain stack of layers where each layer has exactly one input tensor
// and one output tensor.
//
// Define Sequential model with 3 layers
let model = Sequential([
    Dense(2, activation: .relu, name: "layer1"),
    Dense(3, activation: .relu, name: "layer2"),
    Dense(4, name: "layer3"),
])
// Call model on a test input
let x = Tensor.ones([3, 3])
let y = model(x)
print(y)
// print(model.summary()): the model is built by that call (3 → 2 → 3 → 4: 33 params, 132.00 B).
// summary() prints the table itself and returns nothing.
model.summary()

// ... which is equivalent to this function, calling three layers by hand:
// Create 3 layers
let layer1 = Dense(2, activation: .relu, name: "layer1")
let layer2 = Dense(3, activation: .relu, name: "layer2")
let layer3 = Dense(4, name: "layer3")
// Call layers on a test input
let yByHand = layer3(layer2(layer1(x)))
print(yByHand)

// (Both start from random weights; with the same weights they agree exactly:)
try layer1.setWeights(model.layers[0].getWeights())
try layer2.setWeights(model.layers[1].getWeights())
try layer3.setWeights(model.layers[2].getWeights())
print("same result with the same weights:", (layer3(layer2(layer1(x))) - y).abs().max().item == 0)

// What Dense computes, written with plain ops (numpy's np.dot(x, W) + b, then relu):
let kernel = layer1.getWeights()[0], bias = layer1.getWeights()[1]
let byDot = (dot(x, kernel) + bias).relu()
print("layer1(x) == relu(dot(x, kernel) + bias):", (byDot - layer1(x)).abs().max().item < 1e-6)

// The notebook's np.dot cell: a matrix product of an integer and a float matrix.
// np.dot([[1, 2], [3, 4]], [[0.5, 0.75], [0.25, 0.5]])  →  [[1, 1.75], [2.5, 4.25]]
let a = Tensor([[1, 2], [3, 4]])               // int32, as NumPy reads integer lists
let b = Tensor([[0.5, 0.75], [0.25, 0.5]])     // float32
print(dot(a, b))
print(dot(a.cast(to: .float32), b))            // the same with float inputs

// A Sequential model is not appropriate when the model has multiple inputs or outputs, when a
// layer has multiple inputs or outputs, when layers are shared, or for non-linear topology
// (residual connections, multi-branch models) — use the functional API then (below).

// ---------------------------------------------------------------------------------------------
section("Creating a Sequential model")
// Pass a list of layers to the Sequential initializer:
let model2 = Sequential([
    Dense(2, activation: .relu),
    Dense(3, activation: .relu),
    Dense(4),
])
// Its layers are accessible via the `layers` attribute:
print(model2.layers)

// You can also create a Sequential model incrementally via add():
let model3 = Sequential()
try model3.add(Dense(2, activation: .relu))
try model3.add(Dense(3, activation: .relu))
try model3.add(Dense(4))

// There's also a corresponding pop() method to remove layers: a Sequential model behaves very
// much like a list of layers.
model3.pop()
print(model3.layers.count)  // 2

// Like any layer or model, the Sequential initializer accepts a name argument.
let model4 = Sequential(name: "my_sequential")
try model4.add(Dense(2, activation: .relu, name: "layer1"))
try model4.add(Dense(3, activation: .relu, name: "layer2"))
try model4.add(Dense(4, name: "layer3"))

// ---------------------------------------------------------------------------------------------
section("Specifying the input shape in advance")
// All layers need to know the shape of their inputs to create their weights. A new layer has
// no weights:
let layer = Dense(3)
print(layer.weights)  // Empty

// It creates its weights the first time it is called on an input, since the shape of the
// weights depends on the shape of the inputs:
// Call layer on a test input
let x14 = Tensor.ones([1, 4])
let y14 = layer(x14)
print(layer.weights)  // Now it has weights, of shape (4, 3) and (3,)

// The same applies to Sequential models. Built without an input shape, a model isn't "built":
// it has no weights, and summary() shows unknown shapes.
let model5 = Sequential([
    Dense(2, activation: .relu),
    Dense(3, activation: .relu),
    Dense(4),
])  // No weights at this stage!
print("Number of weights before calling the model:", model5.weights.count)
model5.summary()
// Call the model on a test input
let y5 = model5(x14)
print("Number of weights after calling the model:", model5.weights.count)  // 6

// Once a model is built, summary() displays its contents:
model5.summary()

// When building a Sequential model incrementally it helps to see the summary so far, including
// the current output shape. Start the model by passing an Input, which tells it its input shape:
let model6 = Sequential()
try model6.add(Input(shape: [4]))
try model6.add(Dense(2, activation: .relu))
model6.summary()

// The Input is not a layer of the model: it isn't in model.layers.
print(model6.layers)

// A simple alternative is an InputLayer as the first element of the list:
let model7 = Sequential([InputLayer(shape: [4]), Dense(2, activation: .relu)])
model7.summary()

// Models built with a predefined input shape always have weights (even before seeing data) and
// a defined output shape. It is good practice to specify the input shape when you know it.

// ---------------------------------------------------------------------------------------------
section("A common debugging workflow: add() + summary()")
// When building a new architecture, stack layers with add() and print summaries often to check
// the shapes. (The guide does this with Conv2D/MaxPooling2D on 250×250 images; this is the same
// workflow with the layers of this chapter.)
let model8 = Sequential()
try model8.add(Input(shape: [8, 6]))
try model8.add(Dense(32, activation: .relu))
try model8.add(Permute([2, 1]))
// Can you guess what the current output shape is at this point? Probably not. Let's print it:
model8.summary()
// The answer was (None, 32, 8). Keep going:
try model8.add(Flatten())
try model8.add(Dense(16, activation: .relu))
try model8.add(Dropout(0.2))
// And now a final classification layer:
try model8.add(Dense(10))
model8.summary()

// ---------------------------------------------------------------------------------------------
section("What to do once you have a model")
// Train it, evaluate it and predict (compile/fit/evaluate/predict — the training guide), save it
// to disk, or speed it up with multiple GPUs. This demo stops at the model itself.

// ---------------------------------------------------------------------------------------------
section("Feature extraction with a Sequential model")
// Once built, a Sequential model behaves like a functional model: every layer has an `input`
// and an `output`, so a model can extract the outputs of all intermediate layers:
let initialModel = Sequential([
    InputLayer(shape: [6]),
    Dense(8, activation: .relu),
    Dense(8, activation: .relu),
    Dense(4, activation: .relu),
])
let featureExtractor = try Model(inputs: initialModel.inputs,
                                 outputs: initialModel.layers.map { $0.output! })
// Call feature extractor on test input.
let features = featureExtractor([Tensor.ones([1, 6])], training: false)
print(features.map(\.shape))

// Or only the features of one layer:
let initialModel2 = Sequential([
    InputLayer(shape: [6]),
    Dense(8, activation: .relu),
    Dense(8, activation: .relu, name: "my_intermediate_layer"),
    Dense(4, activation: .relu),
])
let featureExtractor2 = try Model(inputs: initialModel2.inputs,
                                  outputs: try initialModel2.getLayer(name: "my_intermediate_layer").output!)
print(featureExtractor2(Tensor.ones([1, 6])).shape)

// ---------------------------------------------------------------------------------------------
section("Transfer learning with a Sequential model")
// Freeze all layers except the last one: their weights stop being trainable.
let transfer = Sequential([
    InputLayer(shape: [784]),
    Dense(32, activation: .relu),
    Dense(32, activation: .relu),
    Dense(32, activation: .relu),
    Dense(10),
])
for layer in transfer.layers.dropLast() { layer.trainable = false }
print("trainable weights:", transfer.trainableWeights.count, "non-trainable:", transfer.nonTrainableWeights.count)
transfer.summary()
// A trained model can also be stacked inside another one, as a layer:
let stacked = Sequential([transfer, Softmax()])
print(stacked(Tensor.ones([2, 784])).shape)

// ---------------------------------------------------------------------------------------------
section("Inspecting layers: shapes, weights, config")
for layer in model.layers {
    print(layer.name, "input shape:", try layer.inputShape, "output shape:", try layer.outputShape)
}
print(model.layers[0].getWeights())   // [kernel, bias]
print(model.layers[1].getConfig())   // {"name": "layer2", "trainable": true, "dtype": {...}, "units": 3, ...}

// ---------------------------------------------------------------------------------------------
section("The functional API")
// The same kind of model as a graph of layers: Input → Dense → Dense(softmax).
let inputs = Input(shape: [3])
let hidden = Dense(4, activation: .relu)(inputs)
let outputs = Dense(5, activation: .softmax)(hidden)
let functional = try Model(inputs: inputs, outputs: outputs)
let probabilities = functional(x)
print(probabilities)
print("rows sum to 1:", probabilities.sum(axes: [1]))
functional.summary()

// Non-linear graphs: a shared layer and a skip connection.
let left = Input(shape: [8], name: "left")
let right = Input(shape: [8], name: "right")
let encoder = Dense(8, activation: .relu, name: "encoder")
let merged = Add()([encoder(left), encoder(right), left])
let head = Dense(1, name: "head")(Concatenate()([merged, right]))
let siamese = try Model(inputs: [left, right], outputs: head, name: "siamese")
siamese.summary()
print(siamese([Tensor.ones([2, 8]), Tensor.zeros([2, 8])], training: false)[0].shape)

// ---------------------------------------------------------------------------------------------
// The seed ends with "Compile the model … Train and predict", handing over to Keras's
// image-classification tutorial: see Tutorial.swift.
let mlpAccuracy = try imageClassificationTutorial()
try convnetChapter(beating: mlpAccuracy)
try sequenceChapter()
