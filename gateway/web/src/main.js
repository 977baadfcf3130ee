import { createApp } from 'vue';
import { ElMessage } from 'element-plus';
import { ApiError } from './api.js';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { router } from './router.js';
import { elements } from './elements.js';
import './style.css';

dayjs.locale('zh-cn');

const app = createApp(App);
// A request a page could not complete says so in Chinese; a fault of the page itself is also
// logged for whoever looks at the console.
app.config.errorHandler = (err) => {
  if (err instanceof ApiError) {
    if (err.status !== 401) ElMessage.error(err.message || '请求未能完成');
    return;
  }
  ElMessage.error('页面出错，请刷新后重试');
  console.error(err);
};
elements(app);
app.use(router);
app.mount('#app');
