import Keras
func section(_ title: String) { print("\n## \(title)\n") }
setRandomSeed(1)
try imageClassificationTutorial()
