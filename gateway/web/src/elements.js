// The Element Plus components the pages use, registered by name (the rest is not bundled).
import {
  ElAlert, ElAside, ElBadge, ElBreadcrumb, ElBreadcrumbItem, ElButton, ElCard, ElCheckbox, ElCheckboxGroup, ElCol,
  ElCollapse, ElCollapseItem, ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions, ElDescriptionsItem,
  ElDialog, ElDrawer, ElDropdown, ElDropdownItem, ElDropdownMenu, ElEmpty, ElForm, ElFormItem, ElHeader, ElIcon,
  ElInput, ElInputNumber, ElLink, ElMain, ElMenu, ElMenuItem, ElOption, ElPagination, ElPopconfirm, ElRadio,
  ElRadioButton, ElRadioGroup, ElRow, ElSelect, ElSkeleton, ElStatistic, ElTable, ElTableColumn, ElTabPane, ElTabs,
  ElTag, ElTimeline, ElTimelineItem, ElTooltip, ElUpload, ElLoading, ElSpace, ElDivider, ElText, ElSwitch,
  ElProgress,
} from 'element-plus';

const COMPONENTS = [
  ElAlert, ElAside, ElBadge, ElBreadcrumb, ElBreadcrumbItem, ElButton, ElCard, ElCheckbox, ElCheckboxGroup, ElCol,
  ElCollapse, ElCollapseItem, ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions, ElDescriptionsItem,
  ElDialog, ElDrawer, ElDropdown, ElDropdownItem, ElDropdownMenu, ElEmpty, ElForm, ElFormItem, ElHeader, ElIcon,
  ElInput, ElInputNumber, ElLink, ElMain, ElMenu, ElMenuItem, ElOption, ElPagination, ElPopconfirm, ElRadio,
  ElRadioButton, ElRadioGroup, ElRow, ElSelect, ElSkeleton, ElStatistic, ElTable, ElTableColumn, ElTabPane, ElTabs,
  ElTag, ElTimeline, ElTimelineItem, ElTooltip, ElUpload, ElSpace, ElDivider, ElText, ElSwitch,
  ElProgress,
];

export function elements(app) {
  for (const component of COMPONENTS) app.use(component);
  app.use(ElLoading);
}
