// ECharts with only what the pages draw: pies, bars and lines on a canvas.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, TitleComponent, MarkLineComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, TitleComponent,
  MarkLineComponent, CanvasRenderer]);

export { echarts };

export const LIGHT_COLOURS = { green: '#16a34a', yellow: '#eab308', red: '#dc2626', none: '#94a3b8' };
