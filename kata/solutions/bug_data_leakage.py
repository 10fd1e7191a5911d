"""Kata: bug_data_leakage.

A pitfall kata: the code below is not missing, it is wrong. A year of daily sensor
readings goes to a model that will predict on days it has not seen yet, so it is trained
on the first months and tested on the last ones. The features are standardized first.
Nothing fails, yet the last months have had a hand in what the model trains on, and the
test score no longer stands for days the model has not seen. Find the bug and fix it: the
tests fail on it and pass on the fix.
"""

import torch


def split_and_standardize(
    X: torch.Tensor, n_train: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(X_train, X_test, mean, std): the rows of X (N, F) split into a training part, the
    first n_train rows, and a test part, the rest, both standardized feature by feature.

    mean and std (F,) are one mean and one standard deviation per feature; both parts are
    standardized with them, (x - mean) / std, and they come back as well, to standardize
    every row the model sees later the same way. std is the population std
    (correction=0), so the standardized training part has a mean of 0 and a std of 1 by
    that measure. X_train (n_train, F) and X_test (N - n_train, F) are new tensors; all
    four are in X's dtype, and X is left as it is. The caller makes sure that
    0 < n_train < N and that no feature takes one value on every training row.

    What goes wrong: the standardized training part does not have a mean of 0 and a std
    of 1; the mean and std that come back are not those of the training rows; and
    changing nothing but the test rows changes what the training rows become. The test
    rows have leaked into training: the model is scored on data it has, in part, already
    seen, and in service, where next month's readings are not known yet, the same
    standardization cannot even be made. Here the leak is a mean and a std, which a model
    can partly undo; where more is fitted before the split (features selected, missing
    values filled in, categories encoded by their targets), the same mistake makes a test
    score far better than the model.

    Helps: which rows should anything fitted to the data be fitted on?
    """
    # stub:
    # mean, std = X.mean(dim=0), X.std(dim=0, correction=0)
    # X = (X - mean) / std
    # return X[:n_train], X[n_train:], mean, std
    train, test = X[:n_train], X[n_train:]
    mean, std = train.mean(dim=0), train.std(dim=0, correction=0)  # the training rows alone
    return (train - mean) / std, (test - mean) / std, mean, std
