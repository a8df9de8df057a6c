#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <spandsp.h>
/* Decode g722.bin in G.722 modes 2 and 3: spandsp's unpacked 56/48 kbit/s
   decoder takes the octet shifted right by the aux-data bits. Writes raw
   16-bit little-endian PCM (wrapped into WAV by the caller). */
int main(int argc,char**argv){
  FILE*f=fopen("/work/shared/vectors/g722.bin","rb");uint8_t buf[80000];int n=fread(buf,1,sizeof buf,f);fclose(f);
  int rates[2]={56000,48000};int shifts[2]={1,2};const char*names[2]={"g722-56.decoded.raw","g722-48.decoded.raw"};
  for(int k=0;k<2;k++){g722_decode_state_t*d=g722_decode_init(NULL,rates[k],0);uint8_t*in=malloc(n);for(int i=0;i<n;i++)in[i]=buf[i]>>shifts[k];
    int16_t*out=malloc(4*n);int m=g722_decode(d,out,in,n);FILE*o=fopen(names[k],"wb");fwrite(out,2,m,o);fclose(o);printf("%s %d\n",names[k],m);}
  return 0;}
