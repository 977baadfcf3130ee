from services.case.models import Base
from services.common.migrate import run_env
from services.common.models import CommonBase

run_env([Base.metadata, CommonBase.metadata])
