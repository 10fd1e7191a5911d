"""Wrong and right ways to write kata/persistence.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_MKSTEMP = (
    '    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")\n'
)
_LOAD = '        return torch.load(path, weights_only=True, map_location="cpu")\n'
_MISSING_KEYS = (
    "    if missing:\n"
    '        raise CheckpointError(f"{path} is no checkpoint: it lacks the keys {missing}")\n'
)

BROKEN = [
    Variant(
        "atomic_save writes straight onto the target with torch.save",
        (
            "    fd, tmp = tempfile.mkstemp(",
            "    torch.save(obj, path)\n    return\n    fd, tmp = tempfile.mkstemp(",
        ),
    ),
    Variant(
        "atomic_save puts the temporary file in the system temp folder",
        (_MKSTEMP, '    fd, tmp = tempfile.mkstemp(suffix=".tmp")\n'),
    ),
    Variant("atomic_save never fsyncs", ("            os.fsync(f.fileno())\n", "")),
    Variant(
        "atomic_save leaves the temporary file behind when the save fails",
        (
            "    except BaseException:\n        os.unlink(tmp)\n        raise\n",
            "    finally:\n        pass\n",
        ),
    ),
    Variant(
        "atomic_save swallows the error after cleaning up",
        ("        os.unlink(tmp)\n        raise\n", "        os.unlink(tmp)\n"),
    ),
    Variant(
        "safe_load with weights_only=False",
        (_LOAD, '        return torch.load(path, weights_only=False, map_location="cpu")\n'),
    ),
    Variant(
        "safe_load without map_location",
        (_LOAD, "        return torch.load(path, weights_only=True)\n"),
    ),
    Variant(
        "safe_load catches only RuntimeError",
        ("    except Exception as err:", "    except RuntimeError as err:"),
    ),
    Variant(
        "safe_load drops torch's error (no `from err`)",
        ("        ) from err\n", "        ) from None\n"),
    ),
    Variant(
        "safe_load's error does not name the file",
        ('            f"cannot load {path}: it is', '            f"cannot load the file: it is'),
    ),
    Variant(
        "save_model pickles the whole module",
        ("    atomic_save(model.state_dict(), path)\n", "    atomic_save(model, path)\n"),
    ),
    Variant(
        "load_model returns what load_state_dict returns",
        (
            "    model.load_state_dict(safe_load(path))\n    return model\n",
            "    return model.load_state_dict(safe_load(path))\n",
        ),
    ),
    Variant(
        "save_checkpoint forgets the optimizer state",
        (
            '        "optimizer": optimizer.state_dict(),\n',
            '        "optimizer": torch.optim.Adam(model.parameters()).state_dict(),\n',
        ),
    ),
    Variant(
        "load_checkpoint does not restore the RNG",
        ('    torch.set_rng_state(checkpoint["rng_state"])\n', ""),
    ),
    Variant(
        "load_checkpoint leaves the optimizer alone",
        ('    optimizer.load_state_dict(checkpoint["optimizer"])\n', ""),
    ),
    Variant(
        "save_checkpoint refuses epoch 0 too",
        ("    if epoch < 0:\n", "    if epoch <= 0:\n"),
    ),
    Variant(
        "save_checkpoint accepts a negative epoch",
        ("    if epoch < 0:\n", "    if False:\n"),
    ),
    Variant(
        "load_checkpoint returns the next epoch",
        ('    return checkpoint["epoch"]', '    return checkpoint["epoch"] + 1'),
    ),
    Variant("load_checkpoint lets a missing key raise KeyError", (_MISSING_KEYS, "")),
    Variant(
        "safe_load wraps every error, a missing file too, in a CheckpointError",
        (
            '    if not path.is_file():\n        raise FileNotFoundError(f"no checkpoint file at {path}")\n',
            "",
        ),
    ),
    Variant(
        "safe_load catches RuntimeError and UnpicklingError: an empty file's EOFError escapes",
        (
            "    except Exception as err:",
            "    except (RuntimeError, pickle.UnpicklingError) as err:",
        ),
        ("import os\n", "import os\nimport pickle\n"),
    ),
    Variant(
        "load_model with the tutorials' torch.load(path, weights_only=True): no map_location",
        (
            "    model.load_state_dict(safe_load(path))\n",
            "    model.load_state_dict(torch.load(path, weights_only=True))\n",
        ),
    ),
    Variant(
        "load_checkpoint loads the model before it looks for the other keys",
        (
            "    keys = checkpoint.keys() if isinstance(checkpoint, dict) else ()\n",
            "    keys = checkpoint.keys() if isinstance(checkpoint, dict) else ()\n"
            '    if "model" in keys:\n'
            '        model.load_state_dict(checkpoint["model"])\n',
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "atomic_save with NamedTemporaryFile(delete=False) and Path.replace",
        append="""
        def atomic_save(obj, path):
            path = Path(path)
            if not path.parent.is_dir():
                raise FileNotFoundError(f"the folder {path.parent} does not exist")
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as f:
                tmp = Path(f.name)
                try:
                    torch.save(obj, f)
                    f.flush()
                    os.fsync(f.fileno())
                except BaseException:
                    f.close()
                    tmp.unlink()
                    raise
            try:
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        """,
    ),
    Variant(
        "atomic_save lets mkstemp refuse a missing folder",
        (
            '    if not path.parent.is_dir():\n        raise FileNotFoundError(f"cannot save {path.name}: the folder {path.parent} does not exist")\n',
            "",
        ),
    ),
    Variant(
        "safe_load with map_location=torch.device('cpu')",
        (
            _LOAD,
            '        return torch.load(path, weights_only=True, map_location=torch.device("cpu"))\n',
        ),
    ),
    Variant(
        "load_checkpoint with a set difference and torch.random.set_rng_state",
        (
            "    keys = checkpoint.keys() if isinstance(checkpoint, dict) else ()\n"
            "    missing = [key for key in CHECKPOINT_KEYS if key not in keys]\n",
            "    missing = sorted(set(CHECKPOINT_KEYS) - set(checkpoint if isinstance(checkpoint, dict) else {}))\n",
        ),
        (
            '    torch.set_rng_state(checkpoint["rng_state"])\n',
            '    torch.random.set_rng_state(checkpoint["rng_state"])\n',
        ),
    ),
    Variant(
        "atomic_save with NamedTemporaryFile and Path.replace, errors with errno and the path",
        append="""
        import errno


        def atomic_save(obj, path):
            target = Path(path)
            if not target.parent.exists():
                raise FileNotFoundError(
                    errno.ENOENT, "the folder to save into is missing", str(target.parent)
                )
            tmp = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False)
            try:
                with tmp:
                    torch.save(obj, tmp)
                    tmp.flush()
                    os.fsync(tmp.fileno())
                Path(tmp.name).replace(target)
            except BaseException:
                Path(tmp.name).unlink(missing_ok=True)
                raise


        def safe_load(path):
            if not os.path.exists(path):
                raise FileNotFoundError(errno.ENOENT, "no checkpoint here", os.fspath(path))
            try:
                obj = torch.load(path, map_location="cpu", weights_only=True)
            except Exception as err:
                raise CheckpointError(
                    f"refusing to use {os.fspath(path)!r}: unreadable or unsafe ({type(err).__name__})"
                ) from err
            return obj
        """,
    ),
    Variant(
        "a checkpoint built with zip over CHECKPOINT_KEYS, refused with a CheckpointError subclass",
        append="""
        class NotACheckpoint(CheckpointError):
            pass


        def save_checkpoint(model, optimizer, epoch, path):
            if epoch < 0:
                raise ValueError(f"epoch must be >= 0, got {epoch}")
            values = (model.state_dict(), optimizer.state_dict(), epoch, torch.get_rng_state())
            atomic_save(dict(zip(CHECKPOINT_KEYS, values)), path)


        def load_checkpoint(model, optimizer, path):
            data = safe_load(path)
            keys = set(data) if isinstance(data, dict) else set()
            missing = sorted(set(CHECKPOINT_KEYS) - keys)
            if missing:
                raise NotACheckpoint(
                    f"{path}: not a training checkpoint, keys {', '.join(missing)} are absent"
                )
            model.load_state_dict(data["model"])
            optimizer.load_state_dict(data["optimizer"])
            torch.random.set_rng_state(data["rng_state"])
            return int(data["epoch"])
        """,
    ),
    Variant(
        "save_model saves detached clones; load_model spells out strict=True",
        append="""
        def save_model(model, path):
            atomic_save({name: t.detach().clone() for name, t in model.state_dict().items()}, path)


        def load_model(model, path):
            state = safe_load(path)
            model.load_state_dict(state, strict=True)
            return model
        """,
    ),
    Variant(
        "load_checkpoint restores the RNG first: loading state dicts draws no random number",
        ('    torch.set_rng_state(checkpoint["rng_state"])\n', ""),
        (
            '    model.load_state_dict(checkpoint["model"])\n',
            '    torch.set_rng_state(checkpoint["rng_state"])\n'
            '    model.load_state_dict(checkpoint["model"])\n',
        ),
    ),
    Variant(
        "error messages in other words, files named by their name alone",
        (
            'f"cannot save {path.name}: the folder {path.parent} does not exist"',
            'f"{path.parent} is not a folder yet"',
        ),
        ('f"no checkpoint file at {path}"', 'f"{path.name} does not exist"'),
        (
            'f"cannot load {path}: it is truncated, corrupt, or holds objects that "',
            'f"{path.name} is unreadable or unsafe: truncated, corrupt, or holding objects that "',
        ),
        (
            'f"epoch counts the epochs done, so it cannot be negative; got {epoch}"',
            '"a negative epoch count makes no sense"',
        ),
        (
            'f"{path} is no checkpoint: it lacks the keys {missing}"',
            'f"{path.name} lacks the checkpoint keys {missing}"',
        ),
    ),
]
