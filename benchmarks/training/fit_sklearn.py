"""The original pipeline's route, end to end: json.load the samples, numpy array, scikit-learn's
LinearRegression, R² on the training samples. Prints the coefficients as JSON."""
import json
import sys

import numpy as np
from sklearn.linear_model import LinearRegression

with open(sys.argv[1]) as handle:
    samples = np.array(json.load(handle)["samples"], dtype=float)
x, y = samples[:, :1], samples[:, 1]
model = LinearRegression().fit(x, y)
print(json.dumps({"coefficients": [float(model.intercept_), float(model.coef_[0])], "r2": model.score(x, y)}))
