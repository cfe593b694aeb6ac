# The two commands: `make book` builds the website, `make test` runs every test.
# Both create .venv from requirements.txt first when it is missing or stale.
VENV   := .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CHAPTERS := $(sort $(wildcard chapters/*.ipynb))

MATHJAX := _mathjax/site/mathjax/tex-chtml.js
AXE     := _axe/node_modules/axe-core/axe.min.js

.PHONY: book test lab portable execute student nbgrader rubric bench clean

$(STAMP): requirements.txt requirements-student.txt pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	touch $@

# A learner's environment alone (requirements-student.txt, nnlib installed as
# a student gets it, not editable): it writes the student edition and the
# nbgrader course, and proves that the small file is enough.
STUDENT_VENV  := .venv-student
STUDENT_STAMP := $(STUDENT_VENV)/.installed
$(STUDENT_STAMP): requirements-student.txt pyproject.toml $(shell find nnlib -name '*.py' -o -name '*.npz')
	test -x $(STUDENT_VENV)/bin/python || python3 -m venv $(STUDENT_VENV)
	$(STUDENT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(STUDENT_VENV)/bin/python -m pip install --quiet -r requirements-student.txt
	$(STUDENT_VENV)/bin/python -m pip install --quiet --no-deps --force-reinstall .
	touch $@

# MathJax 3, served with the site so that formulas render offline too.
$(MATHJAX):
	mkdir -p _mathjax
	npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix _mathjax mathjax@3.2.2
	rm -rf _mathjax/site && mkdir -p _mathjax/site
	cp -r _mathjax/node_modules/mathjax/es5 _mathjax/site/mathjax

# axe-core, the accessibility checker the browser test runs on every page.
$(AXE):
	mkdir -p _axe
	npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix _axe axe-core@4.11.0

book: $(STAMP) $(MATHJAX)
	$(VENV)/bin/jupyter-book build . -W --keep-going

# One worker per core, each with one BLAS thread (more threads than cores make
# OpenBLAS spin); a file's tests stay together (a chapter shares one kernel),
# and the files go out in the order tests/conftest.py gives them.
test: $(STAMP) $(AXE)
	OPENBLAS_NUM_THREADS=1 $(PYTHON) -m pytest -n auto --dist loadfile --no-loadscope-reorder

# JupyterLab on the chapters, exercise and solution boxes rendered by jupyterlab-myst.
# (Jupyter refuses to run as root unless told; CI and containers run as root.)
lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) chapters/

# The stored outputs must not depend on the CPU that made them: re-run every
# chapter through NumPy's and OpenBLAS' AVX2 code paths (as on a machine
# without AVX-512) with a single BLAS thread, and compare again.
portable: $(STAMP)
	NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR" OPENBLAS_CORETYPE=Haswell OPENBLAS_NUM_THREADS=1 \
	  $(PYTHON) -m pytest chapters

# Re-run chapters in a clean kernel and store their outputs (NB=chapters/03_dense_layer.ipynb for one).
execute: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=600 $(or $(NB),$(CHAPTERS))

# The student edition: solution cells removed, outputs of exercise cells cleared.
STUDENT := student
student: $(STUDENT_STAMP)
	rm -rf $(STUDENT)
	$(STUDENT_VENV)/bin/jupyter nbconvert --to notebook --output-dir $(STUDENT) \
	  --TagRemovePreprocessor.enabled=True \
	  --TagRemovePreprocessor.remove_cell_tags='["solution"]' \
	  --TagRemovePreprocessor.remove_all_outputs_tags='["exercise"]' \
	  $(CHAPTERS)

# An nbgrader course from the chapters: source/<chapter>/<chapter>.ipynb and
# nbgrader_config.py, as `nbgrader quickstart` lays them out (teachers.md).
NBGRADER := nbgrader
nbgrader: $(STUDENT_STAMP)
	$(STUDENT_VENV)/bin/python classroom/nbgrader_course.py --out $(NBGRADER) $(CHAPTERS)

# The teachers' rubric, classroom/rubric.md, from the map in teachers.md and the checkers.
rubric: $(STAMP)
	$(PYTHON) classroom/rubric.py

bench: $(STAMP)
	$(PYTHON) bench/mnist_mlp.py

clean:
	rm -rf _build _mathjax _axe student nbgrader artifacts .pytest_cache
