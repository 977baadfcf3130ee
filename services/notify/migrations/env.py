from services.common.migrate import run_env
from services.common.models import CommonBase
from services.notify.models import Base

run_env([Base.metadata, CommonBase.metadata])
