import Keras
print("keras-bench")
