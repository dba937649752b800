# Read before anything else, the default config file included: the project's sources on the path, and every
# config file checked strictly (YAML syntax errors and keys given twice, with file and line), which Snakemake's
# own reader reports without either.
import sys
from pathlib import Path

_src = str(Path(workflow.basedir) / "src")
if _src not in sys.path:
    sys.path.insert(0, _src)

from crossrank.core.config_files import check_config_files
from crossrank.core.environment import share_source_path

share_source_path(_src)
check_config_files(
    [path for path in ["params.yaml", *workflow.configfiles] if Path(path).is_file()]
)
